/// The systemd side of a takeover: `UnitManager` in production, fakes in unit tests.
public protocol UnitControlling: Sendable {
    /// Starts the unit and returns once its start job succeeded; throws `UnitError` otherwise.
    func start(_ unit: String, timeout: Duration) async throws
    /// Stops the unit and returns once it is stopped; throws `UnitError` otherwise.
    func stop(_ unit: String, timeout: Duration) async throws
    func status(of unit: String) async throws -> UnitStatus
    /// Status now and on every change (PropertiesChanged); may end at any time (the caller polls too).
    func stateChanges(of unit: String) async throws -> AsyncStream<UnitStatus>
    /// Clears a `failed` state before a restart in place.
    func resetFailed(_ unit: String) async throws
}
