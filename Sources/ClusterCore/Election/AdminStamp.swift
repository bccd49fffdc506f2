/// Identifies one admin snapshot: the term of the leader that wrote it and its version.
///
/// Ordered like the last entry of a Raft log: by term, then version. A node
/// grants its vote only to a candidate whose stamp is at least its own
/// (Raft's up-to-date rule), so a committed snapshot survives elections.
public struct AdminStamp: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var term: Term
    public var version: AdminVersion

    public init(term: Term, version: AdminVersion) {
        self.term = term
        self.version = version
    }

    public static let zero = AdminStamp(term: .zero, version: .zero)

    public static func < (lhs: AdminStamp, rhs: AdminStamp) -> Bool {
        (lhs.term, lhs.version) < (rhs.term, rhs.version)
    }

    public var description: String { "\(term).\(version)" }
}
