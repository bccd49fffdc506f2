/// What a node saw when it ran a `StoragePeerProbe` (see `StoragePeerProbe.run()`).
public struct StoragePeerReport: Sendable, Equatable, Codable {
    /// Result of trying `flock(LOCK_EX|LOCK_NB)` on the requester's lock file.
    public enum LockAttempt: Sendable, Equatable, Codable {
        /// EWOULDBLOCK: the requester's lock is visible here (what we want).
        case blocked
        /// The lock was granted although the requester holds it: flock is not shared.
        case acquired
        case failed(String)
        case notTried
    }

    public var node: String
    public var path: String
    public var exists: Bool
    public var isDirectory: Bool
    public var ownerUID: UInt32?
    public var ownerGID: UInt32?
    /// Filesystem type of `path` (`nfs`, `ext4`, `tmpfs`, ...), as /proc/self/mountinfo names it.
    public var filesystem: String?
    /// Whether the marker file had the requester's token (nil: not checked).
    public var markerMatches: Bool?
    public var lock: LockAttempt
    /// Uid of the service user on that node (nil: no such user, or not asked).
    public var userUID: UInt32?

    public init(
        node: String, path: String, exists: Bool, isDirectory: Bool, ownerUID: UInt32? = nil, ownerGID: UInt32? = nil,
        filesystem: String? = nil, markerMatches: Bool? = nil, lock: LockAttempt = .notTried, userUID: UInt32? = nil
    ) {
        self.node = node
        self.path = path
        self.exists = exists
        self.isDirectory = isDirectory
        self.ownerUID = ownerUID
        self.ownerGID = ownerGID
        self.filesystem = filesystem
        self.markerMatches = markerMatches
        self.lock = lock
        self.userUID = userUID
    }
}
