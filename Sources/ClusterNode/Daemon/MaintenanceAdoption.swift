import Synchronization

/// Whether the service still waits to be adopted after `maintenance off` (its stopped units
/// started, its monitor restarted), readable from the task that forwards service failures.
/// A failure the old monitor saw during maintenance (a unit stopped by hand, its health check
/// failing) may reach the core just after maintenance ended, before the adoption: it must not
/// be counted. The fresh monitor reports the service again if it really fails.
final class MaintenanceAdoption: Sendable {
    private let pending = Mutex(false)

    /// Maintenance is on: the next `maintenance off` needs an adoption.
    func maintenanceOn() { pending.withLock { $0 = true } }

    /// The adoption finished (or nothing is held to adopt).
    func adopted() { pending.withLock { $0 = false } }

    var isPending: Bool { pending.withLock { $0 } }
}
