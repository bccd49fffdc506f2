/// The condition under which the daemon may pet the watchdog: its event loop is
/// alive (ticked recently) and it either holds a valid lease or holds nothing.
/// A node that holds the service past its lease (it could not release in time), that
/// holds it while cut from the shared storage (`tie_breaker = "storage"`: its release must
/// end within `watchdog_timeout`, the bound the storage fence's `msgwait` relies on), or
/// whose event loop hangs stops petting, and the kernel resets it. Pure.
public struct WatchdogHealth: Sendable, Equatable {
    public enum Holding: Sendable, Equatable {
        case nothing
        case validLease
        /// Holds (or may hold) the service after its lease expired.
        case expiredLease
        /// Holds (or still releases) the service while its own disk heartbeat fails
        /// (`storage_timeout` without a good cycle).
        case storageLost
    }

    /// The event loop is considered hung when it has not ticked for this long.
    public var maxTickAge: Duration

    public init(maxTickAge: Duration) {
        self.maxTickAge = maxTickAge
    }

    public func isHealthy(sinceLastTick: Duration, holding: Holding) -> Bool {
        guard sinceLastTick <= maxTickAge else { return false }
        return holding == .nothing || holding == .validLease
    }
}
