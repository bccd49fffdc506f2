import ClusterCore
import ClusterHost
import FoundationEssentials

/// `config check`'s view of the managed units as this machine's systemd sees them: each unit's
/// own timeouts and boot state through `systemctl show` (on the bus `systemd_bus` names), and
/// haclusterd.service's stop timeout on the system bus, for `UnitAudit`, the same rules the
/// daemon logs and `hactl status` shows.
enum UnitSettingsReader {
    struct Audit {
        var units: [UnitSettings]
        var daemonTimeoutStop: Duration?
        /// Why systemd could not be asked (not running, no bus): the audit was skipped.
        var unreachable: String?
    }

    static func read(_ service: ServiceConfig) -> Audit {
        // Child processes get a fixed environment: hand the user bus's variables on, as
        // sd_bus_open_user reads them in the daemon.
        let scope = service.systemdBus == .user ? userBusEnvironment() + ["systemctl", "--user"] : ["systemctl"]
        var audit = Audit(units: [], daemonTimeoutStop: nil, unreachable: nil)
        for unit in service.units {
            let command = scope + ["show", "--no-pager"]
                + SystemctlShow.properties.flatMap { ["-p", $0] } + ["--", unit]
            guard let result = try? ChildProcess.runBlocking(command, timeout: .seconds(10)) else {
                audit.unreachable = "systemctl could not be run"
                return audit
            }
            guard result.succeeded else {
                audit.unreachable = result.diagnostic
                return audit
            }
            // A unit systemd does not know: the daemon's takeover reports it; nothing to audit.
            if let settings = SystemctlShow.settings(unit: unit, output: result.stdout) { audit.units.append(settings) }
        }
        if service.systemdBus == .system,
           let result = try? ChildProcess.runBlocking(
               ["systemctl", "show", "--no-pager", "-p", "TimeoutStopUSec", "-p", "LoadState", "-p", "UnitFileState", "--", "haclusterd.service"],
               timeout: .seconds(10)),
           result.succeeded,
           let own = SystemctlShow.settings(unit: "haclusterd.service", output: result.stdout) {
            audit.daemonTimeoutStop = own.timeoutStop
        }
        return audit
    }

    private static func userBusEnvironment() -> [String] {
        let inherited = ProcessInfo.processInfo.environment
        let names = ["XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"]
        return ["env"] + names.compactMap { name in inherited[name].map { "\(name)=\($0)" } }
    }
}
