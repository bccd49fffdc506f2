/// What systemd says of a managed unit's own settings (read over D-Bus): its start and stop
/// timeouts (`TimeoutStartSec=`, `TimeoutStopSec=`; nil: not a service unit, or infinity)
/// and whether it is enabled at boot (`UnitFileState`).
public struct UnitSettings: Sendable, Equatable {
    public var unit: String
    public var timeoutStart: Duration?
    public var timeoutStop: Duration?
    /// `enabled`, `disabled`, `static`, `masked`, ... (empty when the unit has no file).
    public var unitFileState: String

    public init(unit: String, timeoutStart: Duration?, timeoutStop: Duration?, unitFileState: String) {
        self.unit = unit
        self.timeoutStart = timeoutStart
        self.timeoutStop = timeoutStop
        self.unitFileState = unitFileState
    }

    /// Started at boot by systemd itself (not only by the cluster).
    public var isEnabledAtBoot: Bool {
        ["enabled", "enabled-runtime", "linked", "linked-runtime", "alias"].contains(unitFileState)
    }
}
