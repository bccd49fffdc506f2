import ClusterHost
import ClusterCore
import Fencing
import Logging
import Synchronization

/// Follows the runtime's state for everything outside it: systemd's `STATUS=`
/// (sent on every change), the log line on every change, when the service
/// entered its state (`service.since`), and whether this node may hold it past
/// its lease (for the hardware watchdog). Who holds the service, whether it is
/// blocked and which nodes are fenced are read from the core, never kept here.
final class StatusTracker: Sendable {
    struct Snapshot: Sendable {
        var status: DaemonStatus = DaemonStatus(role: .starting)
        var serviceState: StatusReport.ServiceState?
        /// Where the service is (or goes): `since` restarts when it moves, even if still `started`.
        var serviceNode: String?
        var serviceSince: UInt64?
        var holding: WatchdogHealth.Holding = .nothing
        /// The election term (nil before the first status).
        var term: UInt64?
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
    func update(_ runtime: RuntimeStatus, wallClock: UInt64) {
        let election = runtime.election
        let status = builder.daemonStatus(election)
        let (serviceState, _) = builder.serviceState(election, holderPhase: builder.holderPhase(runtime))
        let serviceNode = election.service.mayRun ? election.node : (election.holder == election.node ? nil : election.holder)
        let holding: WatchdogHealth.Holding
        if election.service.mayRun {
            if election.arbiter?.ownAccessLost == true {
                holding = .storageLost
            } else {
                holding = election.quorum.quorate ? .validLease : .expiredLease
            }
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
            snapshot.holding = holding
            snapshot.term = election.term.rawValue
            return changed
        }
        if changed {
            notifier.status(status.text)
            logger.notice("state: \(status.text)", metadata: ["term": "\(election.term)", "role": "\(election.role.rawValue)"])
        }
    }
}
