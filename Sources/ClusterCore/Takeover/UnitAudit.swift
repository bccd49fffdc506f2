/// Compares the managed units' systemd settings, and the daemon's own unit's stop timeout,
/// with the configuration, as the warnings the daemon logs at start and `hactl status` shows
/// (pure: the shell reads the settings over D-Bus).
///
/// - A unit whose `TimeoutStartSec=` / `TimeoutStopSec=` is shorter than its `start_timeout`
///   / `stop_timeout`: systemd gives up first, so the configured timeout (pcs's
///   `op start timeout=600s`) never applies.
/// - A unit enabled at boot: systemd starts it on every boot, on whichever node, outside the
///   cluster's control (the seed procedure's `chkconfig dataiku off`).
/// - The daemon's own `TimeoutStopSec=` shorter than a planned stop can take (every unit's
///   stop timeout, plus the handover's 5 × `failure_timeout`): systemd would kill the daemon
///   in the middle of releasing the service.
public enum UnitAudit {
    public static func warnings(config: ClusterConfig, units: [UnitSettings], daemonTimeoutStop: Duration?) -> [String] {
        var warnings: [String] = []
        let service = config.service
        for settings in units {
            let unit = settings.unit
            let start = service.startTimeout(of: unit)
            if let systemd = settings.timeoutStart, systemd < start {
                warnings.append("\(unit): systemd's TimeoutStartSec (\(DurationText.format(systemd))) is shorter than its start_timeout "
                    + "(\(DurationText.format(start))): systemd gives up the start first; set TimeoutStartSec=\(seconds(start)) "
                    + "in a drop-in (systemctl edit \(unit))")
            }
            let stop = service.stopTimeout(of: unit)
            if let systemd = settings.timeoutStop, systemd < stop {
                warnings.append("\(unit): systemd's TimeoutStopSec (\(DurationText.format(systemd))) is shorter than its stop_timeout "
                    + "(\(DurationText.format(stop))): systemd kills the unit before the cluster's stop timeout; set "
                    + "TimeoutStopSec=\(seconds(stop)) in a drop-in (systemctl edit \(unit))")
            }
            if settings.isEnabledAtBoot {
                warnings.append("\(unit) is enabled at boot (\(settings.unitFileState)): systemd starts it on every boot, "
                    + "outside the cluster; systemctl disable \(unit) on every node")
            }
        }
        if let daemon = daemonTimeoutStop {
            let needed = service.totalStopTimeout + config.cluster.failureTimeout * 5
            if daemon < needed {
                warnings.append("haclusterd's own TimeoutStopSec (\(DurationText.format(daemon))) is shorter than a planned stop "
                    + "can take (units' stop timeouts \(DurationText.format(service.totalStopTimeout)) + handover "
                    + "\(DurationText.format(config.cluster.failureTimeout * 5))): systemd could kill it while it releases the "
                    + "service; set TimeoutStopSec=\(seconds(needed)) or more for haclusterd.service")
            }
        }
        return warnings
    }

    /// Whole seconds, rounded up, as systemd unit files take them.
    static func seconds(_ duration: Duration) -> String {
        let (whole, fraction) = duration.components
        return "\(whole + (fraction > 0 ? 1 : 0))s"
    }
}
