/// Identifies one run of a node's daemon. Chosen by the shell at start and
/// strictly increasing across restarts of the same node (so a receiver can
/// reject datagrams of an older run): see `Incarnation.next(after:wallClockMicroseconds:)`.
public struct Incarnation: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: Incarnation, rhs: Incarnation) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }

    /// The incarnation for a new run: the wall clock in microseconds, unless the
    /// previous run's (persisted) incarnation is not below it, then previous + 1.
    /// Strictly greater than `previous` even when the wall clock went backwards.
    public static func next(after previous: Incarnation?, wallClockMicroseconds: UInt64) -> Incarnation {
        guard let previous else { return Incarnation(max(wallClockMicroseconds, 1)) }
        return Incarnation(max(wallClockMicroseconds, previous.rawValue &+ 1))
    }
}
