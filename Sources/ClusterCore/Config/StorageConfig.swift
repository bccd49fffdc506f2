/// The `[storage]` section: the shared storage, its lock file and the arbiter file.
public struct StorageConfig: Sendable, Equatable {
    /// Shared storage mount, same path on all nodes.
    public var path: String
    public var lockFile: String
    public var acquireTimeout: Duration
    /// The disk heartbeat file (`[quorum] tie_breaker = "storage"`), one slot per node.
    public var arbiterFile: String
    /// `require_mount` (default true): the lock is taken only while `path` is a mount point, so
    /// an unmounted NAS (an empty directory on the root file system) is never taken for it.
    public var requireMount: Bool = true

    public init(path: String, lockFile: String? = nil, acquireTimeout: Duration = .seconds(30), arbiterFile: String? = nil) {
        self.path = path
        let base = path.hasSuffix("/") ? path : path + "/"
        self.lockFile = lockFile ?? base + ".hacluster.lock"
        self.acquireTimeout = acquireTimeout
        self.arbiterFile = arbiterFile ?? base + ".hacluster/arbiter"
    }
}
