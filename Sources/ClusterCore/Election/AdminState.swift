/// The replicated admin snapshot: everything an operator can change, plus the
/// record of which nodes may be running the service.
///
/// The leader changes it (new `stamp`), replicates it whole on heartbeats and
/// treats a change as committed once a quorum has stored that stamp.
public struct AdminState: Sendable, Equatable, Hashable {
    public var stamp: AdminStamp
    /// `hactl enable` / `disable`.
    public var enabled: Bool
    /// `hactl maintenance on`: no start, stop, move or fence.
    public var maintenance: Bool
    /// Nodes in standby (sorted, unique).
    public var standby: [String]
    /// Bans and preferences, with absolute expiry.
    public var constraints: [AdminConstraint]
    /// Failure counts per node (only nodes with failures).
    public var failures: [FailureRecord]
    /// Nodes that may be running the service (sorted, unique). A leader adds
    /// itself and commits that BEFORE it takes over; a node leaves the set only
    /// once it confirmed its release or was fenced. A new leader therefore
    /// knows exactly whom to wait for or fence.
    public var mayHold: [String]
    /// The voting members, in the order they joined: nil until a leader recorded the
    /// configured nodes (every node then runs a release that knows member lists). From
    /// then on only `hactl node add` / `node remove` change it, one node at a time, and a
    /// configured node missing here is a learner: it stores this snapshot, never votes,
    /// campaigns, counts for quorum or runs the service. Each node counts quorum on the
    /// newest list it stored, committed or not (Raft's single-server membership change).
    public var voters: [String]?

    public init(
        stamp: AdminStamp = .zero,
        enabled: Bool = true,
        maintenance: Bool = false,
        standby: [String] = [],
        constraints: [AdminConstraint] = [],
        failures: [FailureRecord] = [],
        mayHold: [String] = [],
        voters: [String]? = nil
    ) {
        self.stamp = stamp
        self.enabled = enabled
        self.maintenance = maintenance
        self.standby = standby
        self.constraints = constraints
        self.failures = failures
        self.mayHold = mayHold
        self.voters = voters
    }

    public static let initial = AdminState()

    public func isStandby(_ node: String) -> Bool { standby.contains(node) }

    public func isBanned(_ node: String, at wallClock: UInt64) -> Bool {
        constraints.contains { $0.kind == .ban && $0.node == node && $0.isActive(at: wallClock) }
    }

    /// The node a `move NODE` prefers, while the preference is in force.
    public func preferredNode(at wallClock: UInt64) -> String? {
        constraints.last { $0.kind == .prefer && $0.isActive(at: wallClock) }?.node
    }

    public func failureCount(of node: String, at wallClock: UInt64, expiry: Duration) -> Int {
        failures.first { $0.node == node }?.count(at: wallClock, expiry: expiry) ?? 0
    }
}
