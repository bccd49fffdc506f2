/// A node's role in the election protocol (Raft's states plus PreVote).
public enum ElectionRole: String, Sendable, Equatable, CaseIterable {
    case follower
    /// Asking for pre-votes; the term is not bumped yet.
    case preCandidate = "pre-candidate"
    case candidate
    case leader
}
