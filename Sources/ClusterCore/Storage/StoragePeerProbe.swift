/// What `hactl check-storage` asks another node's daemon to look at: the same
/// path, a marker file the requester wrote (proves it is the same storage), a
/// lock file the requester holds (proves `flock` is exclusive across nodes),
/// and the uid of the service user there.
public struct StoragePeerProbe: Sendable, Equatable, Codable {
    /// The node whose daemon should run the probe (the local daemon forwards it).
    public var node: String
    /// The shared storage directory, the same path on every node.
    public var path: String
    /// A file inside `path` written by the requester; `token` is its content.
    public var markerFile: String?
    public var token: String?
    /// A file the requester holds `LOCK_EX` on while the probe runs.
    public var lockFile: String?
    /// The user the service runs as, to compare uids across nodes.
    public var user: String?

    public init(node: String, path: String, markerFile: String? = nil, token: String? = nil, lockFile: String? = nil, user: String? = nil) {
        self.node = node
        self.path = path
        self.markerFile = markerFile
        self.token = token
        self.lockFile = lockFile
        self.user = user
    }
}
