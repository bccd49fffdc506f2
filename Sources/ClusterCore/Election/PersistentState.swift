/// What a node MUST have on stable storage before it sends any message that
/// depends on it: the term, the vote of that term, and the admin snapshot.
///
/// Only this survives a restart; everything else in `ElectionNode` is rebuilt.
public struct PersistentState: Sendable, Equatable, Hashable {
    public var term: Term
    /// The candidate this node voted for in `term`, if any.
    public var votedFor: String?
    public var admin: AdminState

    public init(term: Term = .zero, votedFor: String? = nil, admin: AdminState = .initial) {
        self.term = term
        self.votedFor = votedFor
        self.admin = admin
    }

    public static let initial = PersistentState()
}
