import ClusterCore
import ClusterHost
import Synchronization

/// Proof of life of the runtime's loop, for the systemd watchdog: the loop
/// calls `beat()` at every iteration (at least every tick), and the daemon
/// pets the watchdog only while `isAlive(within:)` holds. Readable from any
/// thread without going through the runtime actor (which may be the thing stuck).
public final class LoopHeartbeat: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)
    private let iterations = Atomic<UInt64>(0)

    public init() {}

    public func beat(at instant: ContinuousClock.Instant = .now) {
        last.withLock { $0 = instant }
        iterations.add(1, ordering: .relaxed)
    }

    /// The instant of the last loop iteration; nil before the first.
    public var lastIteration: ContinuousClock.Instant? {
        last.withLock { $0 }
    }

    public var iterationCount: UInt64 {
        iterations.load(ordering: .relaxed)
    }

    /// True when the loop ran within `interval` before `now`.
    public func isAlive(within interval: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        guard let lastIteration else { return false }
        return now - lastIteration <= interval
    }
}
