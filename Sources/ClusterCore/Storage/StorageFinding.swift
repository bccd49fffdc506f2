/// One result of `hactl check-storage`: what was checked, how it went and,
/// when something is wrong, what to change.
public struct StorageFinding: Sendable, Equatable, Codable {
    public enum Check: String, Sendable, Equatable, Codable, CaseIterable {
        case path
        case filesystem
        case flock
        case nfsLocking = "nfs_locking"
        case acl
        case defaultACL = "default_acl"
        case sillyRename = "silly_rename"
        case sameStorage = "same_storage"
        case crossNodeFlock = "cross_node_flock"
        case serviceUser = "service_user"
        case peers
        /// The disk heartbeat (`tie_breaker = "storage"`) as the daemon on this node reads it.
        case arbiter
        /// NFS mount options against `storage_timeout`.
        case nfsTimeouts = "nfs_timeouts"
    }

    public enum Status: String, Sendable, Equatable, Codable {
        case ok
        /// Informational or a risk worth knowing; does not fail the check.
        case warning
        /// The storage is not fit for the cluster: `hactl check-storage` exits 1.
        case problem
        /// Could not be checked (says why).
        case skipped
    }

    public var check: Check
    public var status: Status
    /// Which node the finding is about, for cross-node checks.
    public var node: String?
    public var detail: String
    /// What to change; nil when nothing needs changing.
    public var fix: String?

    public init(_ check: Check, _ status: Status, node: String? = nil, _ detail: String, fix: String? = nil) {
        self.check = check
        self.status = status
        self.node = node
        self.detail = detail
        self.fix = fix
    }
}
