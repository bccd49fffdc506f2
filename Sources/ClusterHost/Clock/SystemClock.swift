import ClusterCore
#if canImport(Glibc)
import Glibc
#endif

/// The clocks the runtime feeds the core: the only place it reads time.
public enum SystemClock {
    /// Monotonic time including suspend (`CLOCK_BOOTTIME`): a suspended or
    /// paused machine must see its lease as expired when it wakes up.
    public static func monotonicNow() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_BOOTTIME, &spec)
        return Instant(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }

    /// Wall clock, whole seconds since the UNIX epoch (ban expiry, failure expiry).
    public static func wallClockSeconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(spec.tv_sec, 0))
    }

    /// Wall clock as seconds with a fraction, for event timestamps (read where the
    /// daemon receives events, its `EventHub`, and nowhere else).
    public static func wallClockTime() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Wall clock in milliseconds, for `Incarnation.next`.
    public static func wallClockMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(spec.tv_sec, 0)) * 1000 + UInt64(spec.tv_nsec / 1_000_000)
    }
}
