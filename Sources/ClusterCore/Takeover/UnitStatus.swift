/// A unit's state as systemd reports it (`LoadState`, `ActiveState`, `SubState`).
public struct UnitStatus: Sendable, Equatable, CustomStringConvertible {
    public var unit: String
    /// `loaded`, `not-found`, `masked`, `error`, ...
    public var loadState: String
    /// `active`, `reloading`, `inactive`, `failed`, `activating`, `deactivating`.
    public var activeState: String
    /// Type-specific, e.g. `running`, `dead`, `exited`, `auto-restart`.
    public var subState: String

    public init(unit: String, loadState: String, activeState: String, subState: String) {
        self.unit = unit
        self.loadState = loadState
        self.activeState = activeState
        self.subState = subState
    }

    /// Running as a held service should: `active` or `reloading`.
    public var isRunning: Bool { activeState == "active" || activeState == "reloading" }
    /// Stopped for good: `inactive` or `failed`.
    public var isDown: Bool { activeState == "inactive" || activeState == "failed" }

    public var description: String { "\(unit): \(activeState) (\(subState))" }
}
