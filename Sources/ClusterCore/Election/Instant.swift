/// A reading of the local monotonic clock, in nanoseconds since an arbitrary origin.
///
/// The core never reads a clock: the shell passes `now` with every input
/// (`CLOCK_MONOTONIC` / `CLOCK_BOOTTIME` in the daemon, simulated time in tests).
public struct Instant: RawRepresentable, Comparable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var nanoseconds: UInt64
    public var rawValue: UInt64 { nanoseconds }

    public init(rawValue: UInt64) { self.nanoseconds = rawValue }
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        let delta = rhs.nanoseconds
        if delta >= 0 { return Instant(nanoseconds: lhs.nanoseconds &+ UInt64(delta)) }
        let back = UInt64(-delta)
        return Instant(nanoseconds: lhs.nanoseconds >= back ? lhs.nanoseconds - back : 0)
    }

    public static func - (lhs: Instant, rhs: Duration) -> Instant { lhs + (.zero - rhs) }

    /// Elapsed time from `earlier` to `self` (zero if `earlier` is later).
    public func since(_ earlier: Instant) -> Duration {
        guard nanoseconds > earlier.nanoseconds else { return .zero }
        return .nanoseconds(Int64(nanoseconds - earlier.nanoseconds))
    }

    public var description: String {
        let ms = Double(nanoseconds) / 1_000_000
        return "\(ms)ms"
    }
}

extension Duration {
    /// Whole nanoseconds (truncated), for arithmetic on `Instant`s.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Whole milliseconds (truncated): event and status durations, poll timeouts, messages.
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Scales a duration by a real factor (clock-drift margins, jitter).
    public func scaled(by factor: Double) -> Duration {
        .nanoseconds(Int64((Double(nanoseconds) * factor).rounded()))
    }
}
