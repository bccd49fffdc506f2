extension StatusReport {
    /// The disk heartbeat (`tie_breaker = "storage"`, extension; absent without it): the
    /// arbiter file, this node's own access, and each peer's slot with the verdict it gives.
    public struct Arbiter: Sendable, Equatable, Codable {
        public enum Access: String, Sendable, Equatable, Codable, CaseIterable {
            /// This node's disk heartbeat is written and read.
            case ok
            /// No cycle succeeded for `storage_timeout`: this node cannot prove it is alive.
            case lost
        }

        public struct Slot: Sendable, Equatable, Codable {
            public var node: String
            /// `alive`, `silent` or `unknown`.
            public var verdict: String
            /// Milliseconds since its heartbeat last changed in this node's reads (absent: never seen to).
            public var ageMilliseconds: Int?
            public var counter: UInt64?
            public var holding: Bool
            /// The network has lost this peer (the verdict decides what that means).
            public var networkLost: Bool

            public init(node: String, verdict: String, ageMilliseconds: Int?, counter: UInt64?, holding: Bool, networkLost: Bool) {
                self.node = node
                self.verdict = verdict
                self.ageMilliseconds = ageMilliseconds
                self.counter = counter
                self.holding = holding
                self.networkLost = networkLost
            }

            private enum CodingKeys: String, CodingKey {
                case node, verdict, counter, holding
                case ageMilliseconds = "age_ms"
                case networkLost = "network_lost"
            }
        }

        public var file: String
        /// `direct` (O_DIRECT) or `fallback` (O_DSYNC + fadvise); absent before the file is open.
        public var io: String?
        public var storageTimeoutMilliseconds: Int
        public var access: Access
        /// Milliseconds since this node's last good cycle (absent: none yet).
        public var lastWriteMilliseconds: Int?
        public var error: String?
        public var slots: [Slot]
        /// Reads and writes of the arbiter file since this daemon opened it (absent before it is open).
        public var ioCounters: IOCounters?
        /// One line for people: "peer n2 alive on storage only (network split)", ...
        public var verdict: String

        public init(file: String, io: String?, storageTimeoutMilliseconds: Int, access: Access, lastWriteMilliseconds: Int?,
                    error: String?, slots: [Slot], verdict: String, ioCounters: IOCounters? = nil) {
            self.file = file
            self.io = io
            self.storageTimeoutMilliseconds = storageTimeoutMilliseconds
            self.access = access
            self.lastWriteMilliseconds = lastWriteMilliseconds
            self.error = error
            self.slots = slots
            self.verdict = verdict
            self.ioCounters = ioCounters
        }

        private enum CodingKeys: String, CodingKey {
            case file, io, access, error, slots, verdict
            case storageTimeoutMilliseconds = "storage_timeout_ms"
            case lastWriteMilliseconds = "last_write_ms"
            case ioCounters = "io_counters"
        }
    }
}
