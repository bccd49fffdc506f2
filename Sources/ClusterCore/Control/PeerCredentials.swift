/// Who is on the other end of a control connection, from `SO_PEERCRED`
/// (filled in by the kernel, so it cannot be forged by the client).
public struct PeerCredentials: Sendable, Equatable, Hashable, Codable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}
