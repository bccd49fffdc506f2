/// The holder's side of an etcd lease: how long the coordinator may act as holder after each
/// keep-alive, on its own monotonic clock.
///
/// The server expires the lease `ttl` after it processed the last keep-alive, measured on the
/// etcd leader's clock. The holder does not know when that was, only that it was after it sent
/// the request. So the hold is counted from the send time, and shortened by the same margin
/// rule as the built-in lease (`ElectionTimings.lease`): with every clock's rate within
/// `maxClockDrift` of real time, `hold / (1 - drift)` (the most real time the holder's clock can
/// take for it) stays below `ttl / (1 + drift)` (the least real time the server's can), and 15 %
/// is left beyond that. A keep-alive answered late still counts from when it was sent; one never
/// answered counts for nothing.
///
/// etcd's own behaviour only adds time: it revokes expired leases in a loop (every 500 ms), and
/// a newly elected etcd leader gives every lease its full TTL again.
public struct EtcdLeaseHold: Sendable, Equatable {
    /// Broken rules for the model check (`EtcdLeaseModel`): each must be caught.
    public enum Mutation: Sendable, Equatable, CaseIterable {
        /// The hold counted from when the answer arrived, not from when the request was sent.
        case countFromAnswer
        /// The whole TTL held, without the drift bound or the 15 % margin.
        case wholeTTL
    }

    public static let margin = 0.85

    public let maxClockDrift: Double
    public let mutation: Mutation?
    /// Until when this node may act as holder (its own monotonic clock); nil: it holds nothing.
    public private(set) var deadline: Instant?

    public init(maxClockDrift: Double = 0.01, mutation: Mutation? = nil) {
        precondition((0..<0.5).contains(maxClockDrift), "a drift bound below 50 %")
        self.maxClockDrift = maxClockDrift
        self.mutation = mutation
    }

    /// How long one keep-alive (or the grant) of a lease with this TTL lets the holder act.
    public func hold(ttl: Duration) -> Duration {
        if mutation == .wholeTTL { return ttl }
        return ttl.scaled(by: Self.margin * (1 - maxClockDrift) / (1 + maxClockDrift))
    }

    /// The server answered a grant or keep-alive sent at `sentAt` with `ttl` (the smaller of the
    /// TTL asked for and the TTL answered). `answeredAt` is used only by the `countFromAnswer` mutation.
    public mutating func renewed(sentAt: Instant, answeredAt: Instant, ttl: Duration) {
        let from = mutation == .countFromAnswer ? answeredAt : sentAt
        let candidate = from + hold(ttl: ttl)
        deadline = max(deadline ?? candidate, candidate)
    }

    /// Whether this node may act as holder at `now`.
    public func holds(at now: Instant) -> Bool {
        guard let deadline else { return false }
        return now < deadline
    }

    /// The lease is gone (revoked, expired, or the deadline passed): hold nothing until a new grant.
    public mutating func drop() {
        deadline = nil
    }

    /// How often to send a keep-alive: a third of the TTL, as etcd's own client does, so that two
    /// may be lost before the hold (85 % of the TTL, less the drift bound) runs out.
    public static func keepAliveInterval(ttl: Duration) -> Duration { ttl / 3 }
}
