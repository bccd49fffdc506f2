/// What a control request needs, and what a peer is allowed: reading the
/// cluster state, or changing it.
public enum ControlAccess: Int, Sendable, Comparable, Equatable {
    case none = 0
    case read = 1
    case change = 2

    public static func < (lhs: ControlAccess, rhs: ControlAccess) -> Bool { lhs.rawValue < rhs.rawValue }
}
