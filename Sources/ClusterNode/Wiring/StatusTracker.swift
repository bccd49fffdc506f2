import ClusterHost
import ClusterCore
import Fencing
import Logging
import Synchronization

/// Follows the runtime's state for everything outside it: systemd's `STATUS=`
/// (sent on every change), the log line on every change, when the service
/// entered its state (`service.since`), who holds the service (for the fence
/// race rule and `last_failover`), and whether this node may hold it past its
/// lease (for the hardware watchdog).
final class StatusTracker: Sendable {
    struct Snapshot: Sendable {
        var status: DaemonStatus = DaemonStatus(role: .starting)
        var serviceState: StatusReport.ServiceState?
        /// Where the service is (or goes): `since` restarts when it moves, even if still `started`.
        var serviceNode: String?
        var serviceSince: UInt64?
        var holder: String?
        var holding: WatchdogHealth.Holding = .nothing
        /// Nodes this daemon fenced, and when, until one of their datagrams arrives after that.
        var fencedAt: [String: ContinuousClock.Instant] = [:]
        var fenced: Set<String> { Set(fencedAt.keys) }
    }

    /// A node was confirmed fenced; `hactl status` shows it `fenced` until it is heard again
    /// (a rebooted node that comes back is online again).
    func fenced(_ node: String) {
        state.withLock { $0.fencedAt[node] = .now }
    }

    private let builder: StatusReportBuilder
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let state = Mutex(Snapshot())

    init(builder: StatusReportBuilder, notifier: SystemdNotifier, logger: Logger) {
        self.builder = builder
        self.notifier = notifier
        self.logger = logger
    }

    var snapshot: Snapshot { state.withLock { $0 } }

    /// Takes in a fresh runtime status; sends `STATUS=` and logs when the line changed.
    func update(_ runtime: RuntimeStatus, wallClock: UInt64, blockedReason: String? = nil) {
        let election = runtime.election
        let status = builder.daemonStatus(election)
        let (serviceState, _) = builder.serviceState(election, blockedReason: blockedReason)
        let serviceNode = election.service.mayRun ? election.node : (election.holder == election.node ? nil : election.holder)
        let holding: WatchdogHealth.Holding
        if election.service.mayRun {
            holding = election.quorum.quorate ? .validLease : .expiredLease
        } else {
            holding = .nothing
        }
        let changed: Bool = state.withLock { snapshot in
            let changed = snapshot.status != status
            if snapshot.serviceState != serviceState || snapshot.serviceNode != serviceNode {
                snapshot.serviceState = serviceState
                snapshot.serviceNode = serviceNode
                snapshot.serviceSince = wallClock
            }
            snapshot.status = status
            if let holder = election.holder { snapshot.holder = holder }
            snapshot.holding = holding
            let now = ContinuousClock.now
            for (node, at) in snapshot.fencedAt {
                let heard = runtime.links.filter { $0.peer == node }.compactMap(\.lastHeard).min()
                if let heard, heard < now - at { snapshot.fencedAt[node] = nil }
            }
            return changed
        }
        if changed {
            notifier.status(status.text)
            logger.notice("state: \(status.text)", metadata: ["term": "\(election.term)", "role": "\(election.role.rawValue)"])
        }
    }
}
