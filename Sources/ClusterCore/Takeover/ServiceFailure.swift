/// A failure of the running service, reported by `ServiceMonitor` so the state machine can
/// count it (below `migration_threshold` the service is released and started here again, then it moves).
public enum ServiceFailure: Sendable, Equatable, CustomStringConvertible {
    /// A unit that should run is `inactive` or `failed`.
    case unitDown(UnitStatus)
    /// `health_url` failed `fall` times in a row; the last failure.
    case unhealthy(HealthFailure)
    /// A floating address vanished from this node while active (removed by someone else) and
    /// adding it back failed: the address (CIDR) and why.
    case addressLost(address: String, reason: String)
    /// The lock held on the shared storage no longer guards the lock file's path (removed or
    /// replaced): another node could take a lock on the new file. The lock file and why.
    case lockLost(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unitDown(status): "unit \(status.unit) is \(status.activeState) (\(status.subState))"
        case let .unhealthy(failure): "health check failing: \(failure)"
        case let .addressLost(address, reason): "floating IP \(address) was removed and could not be added back: \(reason)"
        case let .lockLost(file, reason): "storage lock \(file) lost: \(reason)"
        }
    }
}
