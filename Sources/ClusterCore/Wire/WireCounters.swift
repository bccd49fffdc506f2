/// Datagram counters of one node, for `hactl status` and metrics.
public struct WireCounters: Sendable, Equatable, Codable {
    /// Datagrams sealed for sending (one per peer per message, before fan-out to links).
    public var sealed: UInt64 = 0
    /// Datagrams that authenticated, passed the anti-replay check and decoded.
    public var accepted: UInt64 = 0
    /// Rejected datagrams by reason.
    public var rejected: [WireError.Reason: UInt64] = [:]

    public init() {}

    public subscript(reason: WireError.Reason) -> UInt64 {
        rejected[reason, default: 0]
    }

    public var totalRejected: UInt64 {
        rejected.values.reduce(0, &+)
    }

    public mutating func count(_ error: WireError) {
        rejected[error.reason, default: 0] &+= 1
    }

    /// Counters as `name -> value`, names stable for metrics (`rejected_bad_magic`, ...).
    public var flattened: [(name: String, value: UInt64)] {
        [("sealed", sealed), ("accepted", accepted)]
            + WireError.Reason.allCases.map { ("rejected_\($0.rawValue)", self[$0]) }
    }
}
