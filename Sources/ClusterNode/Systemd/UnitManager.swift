import ClusterCore
import ClusterHost
import CSystemd
import Glibc

/// Starts, stops and watches systemd units over sd-bus (`systemd_bus = "system"` or `"user"`).
///
/// Start and stop use mode `replace` and wait for the job's JobRemoved result, bounded by
/// the given timeout. The connection lives on a dedicated thread (sd-bus is
/// single-threaded), is opened on first use and reopened after a disconnect.
public final class UnitManager: UnitControlling {
    public let bus: SystemdBus
    private let loop: SystemdBusLoop

    public init(bus: SystemdBus) {
        self.bus = bus
        loop = SystemdBusLoop(bus: bus)
    }

    deinit {
        loop.shutdown()
    }

    /// Opens the connection now (instead of on first use), so a daemon can report a missing
    /// bus at start-up.
    public func connect() async throws {
        _ = try await loop.perform { _, _ in true }
    }

    /// `StartUnit(unit, "replace")`, then waits for the job result. Succeeds on `done` unless
    /// the unit is `failed` right after it. Throws `UnitError`.
    public func start(_ unit: String, timeout: Duration) async throws {
        let result = try await loop.runJob(.start, unit: unit, timeout: timeout)
        guard result == "done" else { throw UnitError.startFailed(unit: unit, result: result) }
        let status = try await status(of: unit)
        // A oneshot unit without RemainAfterExit is legitimately inactive after `done`;
        // `failed` means the main process died before the job finished.
        if status.activeState == "failed" {
            throw UnitError.notActiveAfterStart(unit: unit, activeState: status.activeState, subState: status.subState)
        }
    }

    /// `StopUnit(unit, "replace")`, then waits for the job result. A unit systemd does not
    /// know is not running, so stopping it succeeds. Throws `UnitError`.
    public func stop(_ unit: String, timeout: Duration) async throws {
        let result: String
        do {
            result = try await loop.runJob(.stop, unit: unit, timeout: timeout)
        } catch UnitError.noSuchUnit {
            return
        }
        guard result == "done" else { throw UnitError.stopFailed(unit: unit, result: result) }
    }

    /// LoadState, ActiveState and SubState of the unit.
    public func status(of unit: String) async throws -> UnitStatus {
        try await loop.perform { loop, connection in try loop.status(connection, unit: unit) }
    }

    /// The unit's own timeouts and whether it is enabled at boot (for `UnitAudit`).
    public func settings(of unit: String) async throws -> UnitSettings {
        try await loop.perform { loop, connection in try loop.settings(connection, unit: unit) }
    }

    /// The systemd unit this process runs in (system manager: `haclusterd.service`), if any.
    public static func ownUnit() -> String? {
        var name: UnsafeMutablePointer<CChar>?
        guard sd_pid_get_unit(0, &name) >= 0, let name else { return nil }
        defer { free(name) }
        return String(cString: name)
    }

    /// The unit's status now, then again every time its ActiveState or SubState changes
    /// (driven by PropertiesChanged). The stream ends if the bus connection drops.
    public func stateChanges(of unit: String) async throws -> AsyncStream<UnitStatus> {
        try await loop.watch(unit: unit)
    }

    /// `ResetFailed(unit)`: clears the `failed` state and systemd's start rate limit before a
    /// restart in place.
    public func resetFailed(_ unit: String) async throws {
        try await loop.perform { loop, connection in
            do {
                let reply = try loop.call(connection, member: "ResetFailedUnit", arguments: [unit], unit: unit)
                sd_bus_message_unref(reply)
            } catch UnitError.noSuchUnit {
                return
            }
        }
    }
}
