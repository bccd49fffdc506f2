/// The volatile state of an `ElectionNode` (role, leader, lease and acknowledgement times,
/// campaign, service, holder, fencing) as plain values, so that the daemon can re-execute itself in place
/// (`systemctl reload`, an upgrade) and go on as the same member of the cluster: a leader
/// stays leader with its lease, a follower keeps its election deadline.
///
/// Times are `Instant` nanoseconds of the shell's monotonic clock; they stay meaningful
/// across the re-execution only because that clock (`CLOCK_BOOTTIME`) is system-wide.
/// The term, vote and admin snapshot are not carried: the restored node reads them from
/// the state file like any start, and `term`/`votedFor` here are only a consistency check.
///
/// Not carried: a planned leave (a stopping daemon is never snapshotted), local admin commands still waiting for their answer (their clients' connections
/// end with the old process; a remote node's command waiting on this leader is kept),
/// the election jitter's random state (reseeded), and the placement reason (recomputed by the
/// leader at its next step).
public struct ElectionSnapshot: Sendable, Equatable, Codable {
    public struct Stamp: Sendable, Equatable, Codable {
        public var term: UInt64
        public var version: UInt64
    }

    public struct HeartbeatSent: Sendable, Equatable, Codable {
        public var sequence: UInt64
        public var at: UInt64
    }

    public struct FenceFailure: Sendable, Equatable, Codable {
        public var node: String
        public var reason: String
    }

    public struct RemoteCommand: Sendable, Equatable, Codable {
        public var node: String
        public var id: UInt64
        public var stamp: Stamp
        public var deadline: UInt64
    }

    public var term: UInt64
    public var votedFor: String?
    public var role: String
    public var leader: String?
    /// The term the service is held in here; nil: idle. A node taking over or releasing is
    /// never snapshotted (the shell's step in progress would be lost).
    public var holdingTerm: UInt64?
    public var committed: Stamp
    public var leaseClaimed: Bool
    public var now: UInt64
    public var started: UInt64?
    public var lastHeard: [String: UInt64]
    public var lastLeaderContact: UInt64?
    public var electionDeadline: UInt64
    public var waitingForAll: Bool
    public var preVotes: [String]
    /// Granted votes, each with the voter's `sinceLeaderContact` in nanoseconds.
    public var votes: [String: Int64]
    public var campaignStarted: UInt64
    public var transferCampaign: Bool
    public var heartbeatSequence: UInt64
    public var heartbeatSent: [HeartbeatSent]
    public var nextHeartbeat: UInt64
    public var ackedSendTime: [String: UInt64]
    public var matchStamp: [String: Stamp]
    public var confirmedReleased: [String]
    public var leaseClaimAt: UInt64?
    public var transferDeadline: UInt64?
    public var holder: String?
    public var previousHolder: String?
    public var leaderMembers: [String]
    public var fencing: String?
    public var fencedThisTerm: [String]
    public var fencedAndSilent: [String]
    public var fenceFailure: FenceFailure?
    /// The last wall-clock time the shell passed (seconds), for the status it reports.
    public var wallClock: UInt64
    public var retryNotBefore: UInt64?
    public var retryCount: Int
    public var remoteCommands: [RemoteCommand]
    /// The disk heartbeat's view (`tie_breaker = "storage"`); nil without it, or from an older release.
    public var arbiter: StorageArbiter?
}

/// Why a node cannot be snapshotted (or restored) right now.
public enum ElectionSnapshotRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// A takeover or release is in progress: the shell's work would be lost.
    case serviceInTransition(String)
    /// The daemon is stopping (a planned leave is under way): nothing to carry on.
    case leaving
    /// The snapshot does not match the state file or the configuration.
    case mismatch(String)

    public var description: String {
        switch self {
        case let .serviceInTransition(state): "the service is \(state) on this node; retry once that is done"
        case .leaving: "the daemon is stopping (handing over); nothing to reload"
        case let .mismatch(reason): "the carried election state does not match: \(reason)"
        }
    }
}

extension ElectionSnapshot.Stamp {
    init(_ stamp: AdminStamp) {
        term = stamp.term.rawValue
        version = stamp.version.rawValue
    }

    var adminStamp: AdminStamp { AdminStamp(term: Term(term), version: AdminVersion(version)) }
}

extension ElectionNode {
    /// The volatile state to carry over a re-execution; refused while a takeover or release runs.
    public func snapshot() throws(ElectionSnapshotRefusal) -> ElectionSnapshot {
        guard !leaving else { throw .leaving }
        let holdingTerm: UInt64?
        switch service {
        case .idle: holdingTerm = nil
        case let .holding(term): holdingTerm = term.rawValue
        case .takingOver: throw .serviceInTransition("being taken over")
        case .releasing: throw .serviceInTransition("being released")
        }
        var remote: [ElectionSnapshot.RemoteCommand] = []
        for command in pendingCommands {
            if case let .remote(node, id) = command.origin {
                remote.append(.init(node: node, id: id.rawValue, stamp: .init(command.stamp), deadline: command.deadline.nanoseconds))
            }
        }
        return ElectionSnapshot(
            term: persistent.term.rawValue,
            votedFor: persistent.votedFor,
            role: role.rawValue,
            leader: leader,
            holdingTerm: holdingTerm,
            committed: .init(committed),
            leaseClaimed: leaseClaimed,
            now: now.nanoseconds,
            started: started?.nanoseconds,
            lastHeard: lastHeard.mapValues(\.nanoseconds),
            lastLeaderContact: lastLeaderContact?.nanoseconds,
            electionDeadline: electionDeadline.nanoseconds,
            waitingForAll: waitingForAll,
            preVotes: preVotes.sorted(),
            votes: votes.mapValues(\.nanoseconds),
            campaignStarted: campaignStarted.nanoseconds,
            transferCampaign: transferCampaign,
            heartbeatSequence: heartbeatSequence,
            heartbeatSent: heartbeatSent.map { .init(sequence: $0.key, at: $0.value.nanoseconds) }.sorted { $0.sequence < $1.sequence },
            nextHeartbeat: nextHeartbeat.nanoseconds,
            ackedSendTime: ackedSendTime.mapValues(\.nanoseconds),
            matchStamp: matchStamp.mapValues { .init($0) },
            confirmedReleased: confirmedReleased.sorted(),
            leaseClaimAt: leaseClaimAt?.nanoseconds,
            transferDeadline: transferDeadline?.nanoseconds,
            holder: holder,
            previousHolder: previousHolder,
            leaderMembers: leaderMembers,
            fencing: fencing,
            fencedThisTerm: fencedThisTerm.sorted(),
            fencedAndSilent: fencedAndSilent.sorted(),
            fenceFailure: fenceFailure.map { .init(node: $0.node, reason: $0.reason) },
            wallClock: wallClock,
            retryNotBefore: retryNotBefore?.nanoseconds,
            retryCount: retryCount,
            remoteCommands: remote,
            arbiter: arbiter)
    }

    /// A node that goes on from `snapshot`, taken by a previous image of the same daemon on
    /// this machine. `persisted` is what the state file holds: its term and vote must be the
    /// snapshot's. Peers the configuration no longer names are dropped.
    public init(
        name: String, config: ClusterConfig, persisted: PersistentState, seed: UInt64,
        restoring snapshot: ElectionSnapshot, mutations: ElectionMutations = []
    ) throws(ElectionSnapshotRefusal) {
        guard snapshot.term == persisted.term.rawValue, snapshot.votedFor == persisted.votedFor else {
            throw .mismatch("term \(snapshot.term) (vote \(snapshot.votedFor ?? "none")) carried, term \(persisted.term) (vote \(persisted.votedFor ?? "none")) in the state file")
        }
        guard let role = ElectionRole(rawValue: snapshot.role) else {
            throw .mismatch("unknown role '\(snapshot.role)'")
        }
        self.init(name: name, config: config, persisted: persisted, seed: seed, mutations: mutations)
        let known = Set(config.nodes.map(\.name))
        func instant(_ value: UInt64) -> Instant { Instant(nanoseconds: value) }
        func peersOnly<V>(_ values: [String: V]) -> [String: V] { values.filter { known.contains($0.key) } }

        self.role = role
        leader = snapshot.leader.flatMap { known.contains($0) ? $0 : nil }
        service = snapshot.holdingTerm.map { .holding(term: Term($0)) } ?? .idle
        committed = snapshot.committed.adminStamp
        leaseClaimed = snapshot.leaseClaimed
        now = instant(snapshot.now)
        started = snapshot.started.map(instant)
        lastHeard = peersOnly(snapshot.lastHeard).mapValues(instant)
        lastLeaderContact = snapshot.lastLeaderContact.map(instant)
        electionDeadline = instant(snapshot.electionDeadline)
        waitingForAll = snapshot.waitingForAll
        preVotes = Set(snapshot.preVotes).intersection(known)
        votes = peersOnly(snapshot.votes).mapValues { Duration.nanoseconds($0) }
        campaignStarted = instant(snapshot.campaignStarted)
        transferCampaign = snapshot.transferCampaign
        heartbeatSequence = snapshot.heartbeatSequence
        heartbeatSent = Dictionary(snapshot.heartbeatSent.map { ($0.sequence, instant($0.at)) }, uniquingKeysWith: max)
        nextHeartbeat = instant(snapshot.nextHeartbeat)
        ackedSendTime = peersOnly(snapshot.ackedSendTime).mapValues(instant)
        matchStamp = peersOnly(snapshot.matchStamp).mapValues(\.adminStamp)
        confirmedReleased = Set(snapshot.confirmedReleased).intersection(known)
        leaseClaimAt = snapshot.leaseClaimAt.map(instant)
        transferDeadline = snapshot.transferDeadline.map(instant)
        holder = snapshot.holder.flatMap { known.contains($0) ? $0 : nil }
        previousHolder = snapshot.previousHolder.flatMap { known.contains($0) ? $0 : nil }
        leaderMembers = snapshot.leaderMembers.filter { known.contains($0) }
        fencing = snapshot.fencing.flatMap { known.contains($0) ? $0 : nil }
        fencedThisTerm = Set(snapshot.fencedThisTerm).intersection(known)
        fencedAndSilent = Set(snapshot.fencedAndSilent).intersection(known)
        fenceFailure = snapshot.fenceFailure.flatMap {
            known.contains($0.node) ? ElectionStatus.FenceFailure(node: $0.node, reason: $0.reason) : nil
        }
        wallClock = snapshot.wallClock
        retryNotBefore = snapshot.retryNotBefore.map(instant)
        retryCount = snapshot.retryCount
        // A view kept under another timeout would judge by the wrong rule: start afresh then.
        if let carried = snapshot.arbiter, carried.storageTimeout == config.storageTimeout, config.usesStorageTieBreaker {
            arbiter = carried
        }
        pendingCommands = snapshot.remoteCommands.filter { known.contains($0.node) }.map {
            PendingCommand(origin: .remote(node: $0.node, id: RequestID($0.id)), stamp: $0.stamp.adminStamp, deadline: instant($0.deadline))
        }
    }
}
