/// Anti-replay window over the sequence numbers of one (peer, incarnation), as
/// in IPsec (RFC 4303, 3.4.3): the highest sequence accepted and a bitmap of
/// the `size` numbers at and below it. Sequence numbers start at 1.
public struct ReplayWindow: Sendable, Equatable {
    public static let size: UInt64 = 64

    public enum Verdict: Sendable, Equatable {
        case fresh
        case duplicate
        /// Below the window (or 0): cannot be told apart from a replay.
        case tooOld
    }

    /// Highest sequence number accepted; 0 when none yet.
    public private(set) var highest: UInt64 = 0
    /// Bit i set: sequence `highest - i` was accepted.
    private var seen: UInt64 = 0

    public init() {}

    /// A window as `highest` and `bitmap` left it (carried over a re-execution of the daemon).
    public init(highest: UInt64, bitmap: UInt64) {
        self.highest = highest
        self.seen = highest == 0 ? 0 : bitmap
    }

    /// Bit i set: sequence `highest - i` was accepted.
    public var bitmap: UInt64 { seen }

    public func verdict(for sequence: UInt64) -> Verdict {
        guard sequence > 0 else { return .tooOld }
        if sequence > highest { return .fresh }
        let age = highest - sequence
        guard age < Self.size else { return .tooOld }
        return seen & (1 << age) == 0 ? .fresh : .duplicate
    }

    /// Records `sequence` as accepted. Only call after `verdict(for:) == .fresh`
    /// and after the datagram authenticated.
    public mutating func accept(_ sequence: UInt64) {
        precondition(verdict(for: sequence) == .fresh, "accepting a sequence number that is not fresh")
        if sequence > highest {
            let shift = sequence - highest
            seen = shift >= Self.size ? 0 : seen << shift
            seen |= 1
            highest = sequence
        } else {
            seen |= 1 << (highest - sequence)
        }
    }
}
