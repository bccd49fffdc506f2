extension StatusReport.Arbiter {
    /// The arbiter file's I/O since this daemon opened it (`io_counters`, extension): what the
    /// disk heartbeat costs the storage. Each cycle is one write of this node's 4 KiB block and
    /// one read of the whole file; the header's check or initialisation at open counts too.
    public struct IOCounters: Sendable, Equatable, Codable {
        public var reads: Int
        public var writes: Int
        public var bytesRead: Int
        public var bytesWritten: Int

        public init(reads: Int, writes: Int, bytesRead: Int, bytesWritten: Int) {
            self.reads = reads
            self.writes = writes
            self.bytesRead = bytesRead
            self.bytesWritten = bytesWritten
        }

        private enum CodingKeys: String, CodingKey {
            case reads, writes
            case bytesRead = "bytes_read"
            case bytesWritten = "bytes_written"
        }
    }
}
