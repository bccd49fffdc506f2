/// The etcd backend's coordinator, one per node: events in, actions out, like `ElectionNode`
/// (pure: the shell performs every etcd call and every service step and reports the result).
///
/// The coordinator runs the service. The takeover order keeps one invariant: the holder record
/// (`EtcdHolderRecord`) always names every node that may run the service. So a new coordinator
/// reads the record, fences the node it names (unless it released cleanly), and only then
/// records itself `starting` and takes the lock, the addresses and the units; it records
/// `running` when the service runs and `released` after a clean stop, then resigns.
///
/// Losing the lease (its hold ran out: etcd unreachable, or etcd without quorum) or seeing
/// another coordinator releases the service at once. A node campaigns when the leader key is
/// vacant and it is the first present node in placement order (priority, then name); any other
/// present node campaigns once the key has been vacant for `campaignGrace`.
///
/// The admin state (`<prefix>/admin`, `Input.admin`) places the service as on the built-in backend
/// (`Placement`): a node campaigns only when it may run the service and is the best present node
/// (a `move`'s target first), or after the grace period when the best one does not campaign; a
/// running coordinator that may no longer run it (disabled, standby, banned, moved away) releases,
/// records `released` and resigns, so the target takes over without a fence. In maintenance, the
/// coordinator neither campaigns nor moves the service.
///
/// A failure of the running service is counted in the admin state (`Output.recordFailure`), as
/// on the built-in backend: below `migration_threshold` the service restarts in place, at it the
/// coordinator releases and resigns, and placement picks another node. A lost lock counts as
/// `migration_threshold` failures at once. In maintenance, failures are not acted on.
public struct EtcdCoordinator: Sendable {
    /// What the coordinator knows of the outcome of a campaign.
    public enum CampaignOutcome: Sendable, Equatable {
        case won(term: Int64)
        case held(by: String, term: Int64)
        case failed(String)
    }

    public enum Input: Sendable, Equatable {
        case tick
        case leaseGranted
        /// The hold ran out or the server dropped the lease: act on nothing any more.
        case leaseLost(String)
        /// The leader key now (from a watch or a read): nil node when vacant.
        case leader(node: String?, term: Int64)
        case campaigned(CampaignOutcome)
        case holderRead(EtcdHolderRecord?)
        /// A `recordHolder` transaction ran: false when the term was no longer the leader key's.
        case holderRecorded(Bool)
        case resigned
        /// An etcd call failed (unavailable, timeout): retried on a later tick.
        case etcdFailed(String)
        /// The nodes whose presence keys exist.
        case present(Set<String>)
        case report(ResourceReport)
        /// A planned stop: release, record `released`, resign, revoke the lease.
        case leave
        /// The admin state now (`<prefix>/admin`; `.initial` while the key does not exist).
        case admin(AdminState)
    }

    public enum Output: Sendable, Equatable {
        case grantLease
        case campaign
        case readHolder
        case recordHolder(EtcdHolderRecord)
        /// Count a failure of the service on `node` in the admin state (one transaction).
        case recordFailure(node: String, fatal: Bool)
        case resign(term: Int64)
        case revokeLease
        /// A service step for the takeover shell (`.fence`, `.takeover`, `.release`) or an event.
        case service(Action)
    }

    public enum Phase: Sendable, Equatable {
        case noLease
        case follower
        case campaigning
        case readingHolder(term: Int64)
        case fencing(term: Int64, node: String)
        case recordingStarting(term: Int64)
        case takingOver(term: Int64)
        case recordingRunning(term: Int64)
        case running(term: Int64)
        case releasing(term: Int64, resign: Bool)
        case recordingReleased(term: Int64)
        case resigning(term: Int64)
        case left
    }

    public let node: String
    private let config: ClusterConfig
    /// The nodes that may run the service, in placement order (priority, then name).
    public let candidates: [String]
    public let campaignGrace: Duration
    public let retryBackoff: Duration
    public private(set) var phase: Phase = .noLease
    public private(set) var leader: (node: String, term: Int64)?
    public private(set) var present: Set<String> = []
    public private(set) var admin: AdminState = .initial
    /// Seconds since the epoch at the last step that gave it (constraints and failures expire on it).
    public private(set) var wallClock: UInt64 = 0
    private var vacantSince: Instant?
    /// A lease is granted and not known lost.
    public private(set) var leaseValid = false
    /// Why the service is being released here (while `phase` is `.releasing`).
    public private(set) var releaseReason: ReleaseReason?
    /// The fence this coordinator needs and that failed last (cleared once it succeeds).
    public private(set) var fenceFailure: ElectionStatus.FenceFailure?
    private var leaving = false
    private var retryAt: Instant?
    private var campaignNotBefore: Instant = .zero

    public init(node: String, config: ClusterConfig, campaignGrace: Duration, retryBackoff: Duration) {
        self.node = node
        self.config = config
        self.candidates = config.serviceNodes
            .sorted { ($0.priority, $1.name) > ($1.priority, $0.name) }
            .map(\.name)
        self.campaignGrace = campaignGrace
        self.retryBackoff = retryBackoff
    }

    /// The term this node coordinates in, if it does (from winning the key until it resigns or loses it).
    public var term: Int64? {
        switch phase {
        case .readingHolder(let term), .fencing(let term, _), .recordingStarting(let term), .takingOver(let term),
             .recordingRunning(let term), .running(let term), .releasing(let term, _), .recordingReleased(let term),
             .resigning(let term):
            term
        case .noLease, .follower, .campaigning, .left:
            nil
        }
    }

    /// Whether the service may be running here (from the takeover's first step to the end of a release).
    public var mayRunService: Bool {
        switch phase {
        case .recordingStarting, .takingOver, .recordingRunning, .running, .releasing: true
        default: false
        }
    }

    /// A planned leave was asked for (`Input.leave`).
    public var isLeaving: Bool { leaving }

    public mutating func start() -> [Output] { [.grantLease] }

    public mutating func step(_ input: Input, now: Instant, wallClock: UInt64? = nil) -> [Output] {
        if let wallClock { self.wallClock = wallClock }
        var out: [Output] = []
        switch input {
        case .tick:
            out += retryIfDue(now: now)
        case .leaseGranted:
            leaseValid = true
            if phase == .noLease { phase = .follower }
        case .leaseLost(let reason):
            leaseValid = false
            out += loseLeadership(.lostQuorum, "the etcd lease is lost: \(reason)")
            if !leaving { out.append(.grantLease) }
        case .leader(let holder, let term):
            if let holder {
                leader = (holder, term)
                vacantSince = nil
                if let mine = self.term, holder != node || term != mine {
                    out += loseLeadership(.lostLeadership, "\(holder) coordinates in term \(term)")
                }
            } else {
                leader = nil
                if vacantSince == nil { vacantSince = now }
                if let mine = self.term, phase != .resigning(term: mine) {
                    out += loseLeadership(.lostLeadership, "the leader key of term \(mine) is gone")
                }
            }
        case .campaigned(let outcome):
            guard phase == .campaigning else { break }
            switch outcome {
            case .won(let term):
                leader = (node, term)
                phase = .readingHolder(term: term)
                out.append(event(.electionWon, .notice, "coordinator for term \(term) (etcd leader key)"))
                out.append(.readHolder)
            case .held(let holder, let term):
                leader = (holder, term)
                phase = .follower
            case .failed:
                phase = .follower
                retryAt = now + retryBackoff
            }
        case .holderRead(let current):
            guard case .readingHolder(let term) = phase else { break }
            if let victim = EtcdHolderRecord.nodeToFence(record: current, coordinator: node) {
                phase = .fencing(term: term, node: victim)
                out.append(event(.fenceRequested, .warning, "\(victim) may still run the service (holder record: \(current!.state.rawValue), term \(current!.term)): fencing it before taking over"))
                out.append(.service(.fence(node: victim, delay: .zero)))
            } else {
                phase = .recordingStarting(term: term)
                out.append(record(.starting, term))
            }
        case .holderRecorded(let recorded):
            out += holderRecorded(recorded, now: now)
        case .resigned:
            guard case .resigning = phase else { break }
            phase = .follower
            if leaving {
                phase = .left
                out.append(.revokeLease)
            }
        case .etcdFailed:
            retryAt = now + retryBackoff
            if phase == .campaigning { phase = .follower }
        case .present(let nodes):
            present = nodes
        case .admin(let state):
            admin = state
        case .report(let report):
            out += handle(report, now: now)
        case .leave:
            leaving = true
            switch phase {
            case .running(let term), .takingOver(let term), .recordingRunning(let term), .recordingStarting(let term):
                phase = .releasing(term: term, resign: true)
                releaseReason = .leaving
                out.append(.service(.release(.leaving)))
            case .readingHolder(let term), .fencing(let term, _):
                phase = .resigning(term: term)
                out.append(.resign(term: term))
            case .noLease, .follower, .campaigning:
                phase = .left
                out.append(.revokeLease)
            case .releasing(let term, _):
                phase = .releasing(term: term, resign: true)
            case .recordingReleased, .resigning, .left:
                break
            }
        }
        out += placeService(now: now)
        out += campaignIfDue(now: now)
        return out
    }

    /// The nodes known to be up: those with a presence key, and this one while it holds its lease.
    public var online: Set<String> {
        var nodes = present
        if leaseValid { nodes.insert(node) }
        return nodes
    }

    /// Where the admin state wants the service while this node runs it: here, or released (and
    /// leadership handed back) because the service is disabled, this node may not run it, or a
    /// `move` names another present node that may.
    private mutating func placeService(now: Instant) -> [Output] {
        guard case .running(let term) = phase, !admin.maintenance else { return [] }
        let reason: ReleaseReason
        let why: String
        if !admin.enabled {
            (reason, why) = (.disabled, "the service is disabled")
        } else if let ineligible = Placement.ineligibility(of: node, config: config, admin: admin, wallClock: wallClock) {
            (reason, why) = (.placement, "\(node) may not run it (\(ineligible))")
        } else if let preferred = admin.preferredNode(at: wallClock), preferred != node, online.contains(preferred),
                  Placement.ineligibility(of: preferred, config: config, admin: admin, wallClock: wallClock) == nil {
            (reason, why) = (.placement, "moving to \(preferred)")
        } else {
            return []
        }
        phase = .releasing(term: term, resign: true)
        releaseReason = reason
        return [event(.serviceRelease, .notice, "releasing the service: \(why)"), .service(.release(reason))]
    }

    // MARK: Steps

    private mutating func holderRecorded(_ recorded: Bool, now: Instant) -> [Output] {
        switch phase {
        case .recordingStarting(let term):
            guard recorded else { return deposed(term) }
            phase = .takingOver(term: term)
            return [.service(.takeover(term: Term(UInt64(term)), fenceFirst: []))]
        case .recordingRunning(let term):
            guard recorded else { return deposed(term) }
            phase = .running(term: term)
            return []
        case .recordingReleased(let term):
            // Recorded or not (deposed: the successor's record stands), nothing runs here: resign.
            phase = .resigning(term: term)
            return [.resign(term: term)]
        default:
            return []
        }
    }

    private mutating func handle(_ report: ResourceReport, now: Instant) -> [Output] {
        switch (report, phase) {
        case (.fenced(let victim), .fencing(let term, let expected)) where victim == expected:
            fenceFailure = nil
            phase = .recordingStarting(term: term)
            return [record(.starting, term)]
        case (.fenceFailed(let victim, let reason), .fencing(_, let expected)) where victim == expected:
            // Nothing started; the record still names the victim. Try again after the backoff.
            retryAt = now + retryBackoff
            fenceFailure = ElectionStatus.FenceFailure(node: victim, reason: reason)
            return [event(.fenceFailed, .error, "fencing \(victim) failed (\(reason)); the service stays stopped, retrying in \(retryBackoff)")]
        case (.takeoverSucceeded, .takingOver(let term)):
            phase = .recordingRunning(term: term)
            return [record(.running, term)]
        case (.takeoverFailed, .takingOver(let term)), (.startFailed, .takingOver(let term)):
            // The shell undid every step: nothing runs here. Hand the key back, wait before trying again.
            campaignNotBefore = now + retryBackoff
            phase = .recordingReleased(term: term)
            return [record(.released, term)]
        case (.serviceFailed(let reason), .running(let term)), (.lockLost(let reason), .running(let term)):
            if admin.maintenance {
                return [event(.serviceFailedIgnored, .notice, "in maintenance mode, not acting on: \(reason)")]
            }
            var fatal = false
            if case .lockLost = report { fatal = true }
            let threshold = config.service.migrationThreshold
            admin = admin.recordingFailure(of: node, at: wallClock, expiry: config.service.failureExpiry, fatal: fatal, threshold: threshold)
            var out: [Output] = [
                event(.serviceFailed, fatal ? .error : .warning, "service failed: \(reason)"),
                .recordFailure(node: node, fatal: fatal),
            ]
            if !fatal, admin.enabled, Placement.ineligibility(of: node, config: config, admin: admin, wallClock: wallClock) == nil {
                // Pacemaker's recovery: restart where it runs; the lock and addresses stay.
                phase = .takingOver(term: term)
                let failures = admin.failureCount(of: node, at: wallClock, expiry: config.service.failureExpiry)
                out.append(event(.serviceRestart, .notice, "restarting the service in place (failure \(failures) of \(threshold) before it moves)"))
                out.append(.service(.restart(term: Term(UInt64(max(0, term))))))
                return out
            }
            campaignNotBefore = now + retryBackoff
            phase = .releasing(term: term, resign: true)
            releaseReason = .serviceFailed
            return out + [.service(.release(.serviceFailed))]
        case (.released, .releasing(let term, let resign)):
            guard resign else {
                if leaving {
                    phase = .left
                    return [.revokeLease]
                }
                phase = leaseValid ? .follower : .noLease
                return []
            }
            phase = .recordingReleased(term: term)
            return [record(.released, term)]
        default:
            return []
        }
    }

    /// The key is someone else's (or gone) while this node acted as coordinator, or the lease is lost.
    private mutating func loseLeadership(_ reason: ReleaseReason, _ why: String) -> [Output] {
        var out: [Output] = []
        if mayRunService {
            let term = self.term ?? 0
            if case .releasing = phase {} else {
                out.append(event(reason == .lostQuorum ? .leaseLost : .leaderSteppedDown, .warning, "releasing the service: \(why)"))
                out.append(.service(.release(reason)))
                releaseReason = reason
            }
            // No etcd writes on the way out: the successor fences this node (its record names it).
            phase = .releasing(term: term, resign: false)
        } else if leaving {
            if phase != .left {
                phase = .left
                out.append(.revokeLease)
            }
        } else if phase != .noLease {
            phase = leaseValid ? .follower : .noLease
        }
        return out
    }

    private mutating func deposed(_ term: Int64) -> [Output] {
        loseLeadership(.lostLeadership, "the leader key is no longer term \(term)'s")
    }

    private mutating func retryIfDue(now: Instant) -> [Output] {
        guard let due = retryAt, now >= due else { return [] }
        retryAt = nil
        switch phase {
        case .noLease: return [.grantLease]
        case .readingHolder: return [.readHolder]
        case .fencing(_, let victim): return [.service(.fence(node: victim, delay: .zero))]
        case .recordingStarting(let term): return [record(.starting, term)]
        case .recordingRunning(let term): return [record(.running, term)]
        case .recordingReleased(let term): return [record(.released, term)]
        case .resigning(let term): return [.resign(term: term)]
        default: return []
        }
    }

    private mutating func campaignIfDue(now: Instant) -> [Output] {
        guard phase == .follower, !leaving, leader == nil, now >= campaignNotBefore, retryAt.map({ now >= $0 }) ?? true else { return [] }
        guard candidates.contains(node), !admin.maintenance, admin.enabled,
              Placement.ineligibility(of: node, config: config, admin: admin, wallClock: wallClock) == nil else { return [] }
        let best = Placement.bestNode(config: config, admin: admin, online: online, lastActive: nil, wallClock: wallClock)
        let waited = vacantSince.map { now.since($0) } ?? .zero
        guard best == node || waited >= campaignGrace else { return [] }
        phase = .campaigning
        return [.campaign]
    }

    /// Writes this node into the holder record, for `term`.
    private func record(_ state: EtcdHolderRecord.State, _ term: Int64) -> Output {
        .recordHolder(EtcdHolderRecord(node: node, state: state, term: term))
    }

    private func event(_ kind: EventKind, _ severity: ClusterEvent.Severity, _ message: String) -> Output {
        .service(.event(EventRecord(kind: kind, severity: severity, message: message)))
    }
}
