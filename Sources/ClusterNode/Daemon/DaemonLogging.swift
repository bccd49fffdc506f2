import ClusterHost
import ClusterCore
import Logging

/// Chooses where the daemon logs: the journal with structured fields when
/// systemd started it (`JOURNAL_STREAM` or `INVOCATION_ID` set), stderr otherwise.
enum DaemonLogging {
    static let identifier = "haclusterd"

    enum Destination: String {
        case journal
        case stderr
    }

    static func destination(environment: [String: String]) -> Destination {
        let underSystemd = environment["JOURNAL_STREAM"] != nil || environment["INVOCATION_ID"] != nil
        return underSystemd ? .journal : .stderr
    }

    /// `HACLUSTERD_LOG_LEVEL=debug` (trace, debug, info, notice, warning, error) lowers or raises the level.
    static func level(environment: [String: String]) -> Logger.Level {
        environment["HACLUSTERD_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }

    /// Installs the process-wide handler (once) and returns the daemon's logger.
    static func bootstrap(node: String, cluster: String, environment: [String: String]) -> Logger {
        let destination = destination(environment: environment)
        let level = level(environment: environment)
        LoggingSystem.bootstrap { _ in
            switch destination {
            case .journal:
                JournalLogHandler(identifier: identifier, node: node, cluster: cluster, logLevel: level)
            case .stderr:
                StderrLogHandler(identifier: identifier, node: node, logLevel: level)
            }
        }
        return Logger(label: identifier)
    }
}
