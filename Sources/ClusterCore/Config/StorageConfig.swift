/// The `[storage]` section: the shared storage and its lock file.
public struct StorageConfig: Sendable, Equatable {
    /// Shared storage mount, same path on all nodes.
    public var path: String
    public var lockFile: String
    public var acquireTimeout: Duration

    public init(path: String, lockFile: String? = nil, acquireTimeout: Duration = .seconds(30)) {
        self.path = path
        self.lockFile = lockFile ?? (path.hasSuffix("/") ? path + ".hacluster.lock" : path + "/.hacluster.lock")
        self.acquireTimeout = acquireTimeout
    }
}
