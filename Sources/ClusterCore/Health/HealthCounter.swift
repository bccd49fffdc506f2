/// Turns single health checks into a verdict with hysteresis: `rise` successes in a row make
/// the service healthy, `fall` failures in a row (once it was healthy) make it unhealthy.
///
/// Before the first healthy verdict the state is `starting` and failures do not count: a
/// service that is still starting up is bounded by `start_timeout`, not by `fall`.
public struct HealthCounter: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case starting
        case healthy
        case unhealthy
    }

    public let rise: Int
    public let fall: Int
    public private(set) var state: State = .starting
    private var streak = 0
    private var streakHealthy = true

    public init(rise: Int = 1, fall: Int = 3) {
        precondition(rise >= 1 && fall >= 1, "rise and fall must be at least 1")
        self.rise = rise
        self.fall = fall
    }

    /// Failed checks in a row so far (0 after a success).
    public var failuresInARow: Int { streakHealthy ? 0 : streak }

    /// Records one check. Returns the new state when it changed, nil otherwise.
    public mutating func record(healthy: Bool) -> State? {
        if healthy == streakHealthy { streak += 1 } else { streakHealthy = healthy; streak = 1 }
        let next: State
        switch (state, healthy) {
        case (.healthy, false) where streak >= fall: next = .unhealthy
        case (.starting, true) where streak >= rise, (.unhealthy, true) where streak >= rise: next = .healthy
        default: return nil
        }
        state = next
        return next
    }

    /// Back to `starting` (after a restart in place).
    public mutating func reset() {
        state = .starting
        streak = 0
        streakHealthy = true
    }
}
