import ClusterCore
import Logging
import Synchronization

/// Reads the managed units' systemd settings (and the daemon's own unit's stop timeout) over
/// D-Bus at start and every `interval`, and keeps `UnitAudit`'s warnings for `hactl status`.
/// A warning is published as an event (and so logged) when it first appears.
final class UnitAuditor: Sendable {
    private let config: ClusterConfig
    private let units: UnitManager
    private let events: EventHub
    private let interval: Duration
    private let current = Mutex<[String]>([])

    init(config: ClusterConfig, units: UnitManager, events: EventHub, interval: Duration = .seconds(60)) {
        self.config = config
        self.units = units
        self.events = events
        self.interval = interval
    }

    /// The latest warnings.
    var warnings: [String] { current.withLock { $0 } }

    /// Audits now, then every `interval` until cancelled.
    func run() async {
        while !Task.isCancelled {
            await audit()
            try? await Task.sleep(for: interval)
        }
    }

    func audit() async {
        var settings: [UnitSettings] = []
        for unit in config.service.units {
            // A unit systemd cannot read is reported by the takeover, not here.
            if let read = try? await units.settings(of: unit) { settings.append(read) }
        }
        var daemonStop: Duration?
        if config.service.systemdBus == .system, let own = UnitManager.ownUnit() {
            daemonStop = (try? await units.settings(of: own))?.timeoutStop
        }
        let found = UnitAudit.warnings(config: config, units: settings, daemonTimeoutStop: daemonStop)
        let new = current.withLock { known in
            let added = found.filter { !known.contains($0) }
            known = found
            return added
        }
        for warning in new {
            events.publish(EventRecord(kind: .auditWarning, severity: .warning, message: warning))
        }
    }
}
