/// Why a node may not run the service right now.
public enum NodeIneligibility: Sendable, Equatable, Hashable {
    case unknown
    case witness
    case standby
    case banned
    /// Failures reached `migration_threshold` (and have not expired).
    case failures(Int)
    case offline
    /// Configured but not a voting member (a learner: `hactl node add` makes it one).
    case notMember
}
