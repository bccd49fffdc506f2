/// Identifies one run of a node's daemon. Chosen by the shell at start and
/// strictly increasing across restarts of the same node (so a receiver can
/// reject datagrams of an older run): see `Incarnation.next`.
///
/// Each (node, incarnation) has its own session key and the nonce is the
/// sequence number, so an incarnation must never be reused: it is persisted
/// (`IncarnationFile`) and, should that file be lost while the clock went
/// back, its 16 random low bits still make a repeat unlikely.
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

    /// The incarnation for a new run: the wall clock in milliseconds in the
    /// high 48 bits and `random` in the low 16, or `previous + 1` if that is
    /// not greater than the previous run's (the wall clock went back).
    public static func next(after previous: Incarnation?, wallClockMilliseconds: UInt64, random: UInt16) -> Incarnation {
        let candidate = (wallClockMilliseconds & 0xFFFF_FFFF_FFFF) << 16 | UInt64(random)
        guard let previous, previous.rawValue >= candidate else { return Incarnation(max(candidate, 1)) }
        return Incarnation(previous.rawValue &+ 1)
    }
}
