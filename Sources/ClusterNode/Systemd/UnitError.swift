import ClusterCore
import ClusterHost
import Glibc

/// Why a systemd operation failed; every case names the unit (or the bus) and what systemd said.
public enum UnitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bus could not be opened (`bus` is "system", "user" or the address tried).
    case busUnavailable(bus: String, errno: Int32)
    /// The connection broke while the call or job was in flight.
    case busDisconnected(bus: String, errno: Int32)
    /// systemd knows no unit of that name (no unit file).
    case noSuchUnit(unit: String, message: String)
    /// A manager call failed with a D-Bus error (e.g. `org.freedesktop.systemd1.UnitMasked`).
    case callFailed(unit: String, method: String, errorName: String, message: String)
    /// The start job finished with a result other than `done` (failed, timeout, canceled, dependency, skipped, ...).
    case startFailed(unit: String, result: String)
    case stopFailed(unit: String, result: String)
    /// No JobRemoved for the job within `start_timeout` / `stop_timeout`.
    case startTimedOut(unit: String, after: Duration)
    case stopTimedOut(unit: String, after: Duration)
    /// The job finished but the unit is not running (e.g. its process exited at once).
    case notActiveAfterStart(unit: String, activeState: String, subState: String)
    /// A reply did not have the expected signature.
    case malformedReply(unit: String, method: String, errno: Int32)

    public var unit: String? {
        switch self {
        case .busUnavailable, .busDisconnected: nil
        case let .noSuchUnit(unit, _), let .callFailed(unit, _, _, _), let .startFailed(unit, _),
            let .stopFailed(unit, _), let .startTimedOut(unit, _), let .stopTimedOut(unit, _),
            let .notActiveAfterStart(unit, _, _), let .malformedReply(unit, _, _):
            unit
        }
    }

    public var description: String {
        switch self {
        case let .busUnavailable(bus, code):
            "cannot connect to the systemd \(bus) bus: \(String(cString: strerror(code)))"
        case let .busDisconnected(bus, code):
            "lost the connection to the systemd \(bus) bus: \(String(cString: strerror(code)))"
        case let .noSuchUnit(unit, message):
            "unit \(unit) does not exist: \(message)"
        case let .callFailed(unit, method, errorName, message):
            "\(method) \(unit) failed: \(errorName): \(message)"
        case let .startFailed(unit, result):
            "starting \(unit) failed: job result '\(result)'"
        case let .stopFailed(unit, result):
            "stopping \(unit) failed: job result '\(result)'"
        case let .startTimedOut(unit, after):
            "starting \(unit) did not finish within \(after)"
        case let .stopTimedOut(unit, after):
            "stopping \(unit) did not finish within \(after)"
        case let .notActiveAfterStart(unit, activeState, subState):
            "\(unit) is \(activeState) (\(subState)) right after its start job succeeded"
        case let .malformedReply(unit, method, code):
            "unexpected reply to \(method) \(unit): \(String(cString: strerror(code)))"
        }
    }
}
