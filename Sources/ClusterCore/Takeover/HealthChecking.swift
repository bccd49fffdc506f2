/// One health check of the running service: `HealthProbe` in production, fakes in unit tests.
public protocol HealthChecking: Sendable {
    /// nil when healthy, else why not.
    func check() async -> HealthFailure?
}
