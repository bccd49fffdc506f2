/// What one node's core knows about the cluster, for `hactl status`.
public struct ElectionStatus: Sendable, Equatable {
    public struct Quorum: Sendable, Equatable {
        /// Votes this node can count on: itself plus peers heard within `failure_timeout`.
        public var votes: Int
        public var expected: Int
        /// Votes needed (more than half; 1 in `two_node` mode).
        public var needed: Int
        /// This node leads or follows a leader heard within `failure_timeout`.
        public var quorate: Bool
    }

    public struct Node: Sendable, Equatable {
        public enum Liveness: String, Sendable, Equatable {
            case online
            case offline
            /// Online but may not run the service (standby, banned, failures).
            case standby
        }

        public var name: String
        public var role: NodeConfig.Role
        public var liveness: Liveness
        /// Failures in force against this node.
        public var failures: Int
        /// Reported fenced (by this node's shell) and not heard from since.
        public var fenced: Bool
        /// A voting member (false: a learner, configured but not added with `hactl node add`).
        public var member: Bool = true
    }

    /// A fence this node needed that failed (the service is `blocked`, retried with backoff).
    public struct FenceFailure: Sendable, Equatable {
        public var node: String
        /// The shell's account of the failure (every level's error).
        public var reason: String

        public init(node: String, reason: String) {
            self.node = node
            self.reason = reason
        }
    }

    public var node: String
    public var term: Term
    public var role: ElectionRole
    /// The coordinator (leader) this node knows of, if any.
    public var leader: String?
    public var quorum: Quorum
    public var nodes: [Node]
    /// The node running the service as far as this node knows.
    public var holder: String?
    /// The last node other than this one known to run the service (kept after it released).
    public var previousHolder: String?
    /// Set while this node leads and a fence it needs has failed, until that node is fenced
    /// or the service starts.
    public var fenceFailure: FenceFailure?
    /// The service on this node.
    public var service: ServiceState
    /// Why the service is where it is (meaningful on the leader; followers report `.noQuorum` without a leader).
    public var placement: PlacementReason
    public var admin: AdminState
    public var committed: AdminStamp
    /// The disk heartbeat (`tie_breaker = "storage"`); nil without it.
    public var arbiter: ArbiterStatus? = nil
}
