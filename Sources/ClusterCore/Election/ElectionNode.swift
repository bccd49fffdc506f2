/// The election, lease and admin-state state machine of one node: a value
/// that takes inputs and returns actions, with no clock, socket, file,
/// thread or global randomness inside (see DESIGN.md, "The core is a pure
/// state machine").
///
/// Driving it (the daemon's runtime and the simulation do exactly this):
/// - call `step(.tick, ...)` at `nextDeadline` (again after any step that brought it
///   forward) and at least every `timings.tickInterval`, and `step` for every datagram, admin command and
///   resource report, always with the current monotonic `now` and wall clock;
/// - perform the returned actions in order; a `.persist` MUST be durable
///   before any later action of the same list (raft's Ready contract);
/// - never call `step` again before the previous list's persists are done.
public struct ElectionNode: Sendable {
    public let name: String
    public let config: ClusterConfig
    public let timings: ElectionTimings
    public let mutations: ElectionMutations

    /// Term, vote and admin snapshot as last handed to the shell in `.persist`.
    public internal(set) var persistent: PersistentState
    var lastPersisted: PersistentState
    public internal(set) var role: ElectionRole = .follower
    /// The leader of the current term, once heard.
    public internal(set) var leader: String?
    public internal(set) var service: ServiceState = .idle
    /// Highest admin stamp known to be stored by a quorum.
    public internal(set) var committed: AdminStamp = .zero
    /// The leader's lease is claimed (after waiting out any previous lease). Only then may it hold the service.
    public internal(set) var leaseClaimed = false

    var random: ElectionRandom
    /// `now` and wall clock of the step in progress.
    var now: Instant = .zero
    var wallClock: UInt64 = 0
    /// First `now` seen: the process start, for `sinceLeaderContact` after a restart.
    var started: Instant?
    var lastHeard: [String: Instant] = [:]
    /// Last time this node acknowledged a leader's heartbeat (or is leader itself).
    var lastLeaderContact: Instant?
    var electionDeadline: Instant = .zero
    /// `wait_for_all`: after a cold start, do not campaign before every node was heard once (or a leader).
    var waitingForAll: Bool
    var outbox: [Action] = []

    // Campaign.
    var preVotes: Set<String> = []
    /// Granted votes with each voter's `sinceLeaderContact`.
    var votes: [String: Duration] = [:]
    var campaignStarted: Instant = .zero
    var transferCampaign = false

    // Leadership.
    var heartbeatSequence: UInt64 = 0
    /// Send time of recent heartbeats, by sequence (pruned to the lease window).
    var heartbeatSent: [UInt64: Instant] = [:]
    var nextHeartbeat: Instant = .zero
    /// Per peer: send time of the newest heartbeat (or vote request) it acknowledged this term.
    var ackedSendTime: [String: Instant] = [:]
    /// Per peer: admin stamp it stores.
    var matchStamp: [String: AdminStamp] = [:]
    /// Peers that acknowledged this term while running nothing of the service.
    var confirmedReleased: Set<String> = []
    var leaseClaimAt: Instant?
    var transferDeadline: Instant?
    var placementReason: PlacementReason = .noQuorum
    /// Node the service last ran on (from heartbeats), for stickiness and status.
    public internal(set) var holder: String?
    /// The last node other than this one known to run the service (from heartbeats; kept
    /// when it releases): where a takeover here comes from (`last_failover.from`).
    public internal(set) var previousHolder: String?
    /// Members the leader reports (followers' view of liveness).
    var leaderMembers: [String] = []
    /// `two_node`: the peer this node is fencing, and peers fenced while leading this term.
    var fencing: String?
    var fencedThisTerm: Set<String> = []
    /// Nodes reported fenced and not heard from since (status shows them `fenced`).
    var fencedAndSilent: Set<String> = []
    /// A fence this node needed failed: the service is `blocked` until that node is
    /// fenced, the service starts, or this node stops leading (retried meanwhile).
    var fenceFailure: ElectionStatus.FenceFailure?
    var retryNotBefore: Instant?
    var retryCount = 0
    /// `tie_breaker = "storage"`: what the disk heartbeat says (nil without the tie-breaker).
    public internal(set) var arbiter: StorageArbiter?

    // Planned leave (`Input.leave`); volatile.
    /// The daemon is stopping: never campaign, hand the service and leadership over.
    public internal(set) var leaving = false
    /// While leaving and running nothing, this node told a leader so (an
    /// acknowledgement with `holding: false`), or found nobody to hand over to.
    var leaveAnnounced = false

    /// Peers known to run a release that decodes member lists (`Input.membersSupported`):
    /// a leader records `AdminState.voters` only once every configured peer is in here.
    var peersSupportingMembers: Set<String> = []

    /// The answer to the last `Input.override`: nil when it was applied, else why not. Volatile.
    public internal(set) var overrideRefusal: OverrideRefusal?

    // Commands.
    enum CommandOrigin: Sendable, Equatable {
        case local(RequestID)
        case remote(node: String, id: RequestID)
    }
    struct PendingCommand: Sendable, Equatable {
        var origin: CommandOrigin
        var stamp: AdminStamp
        var deadline: Instant
    }
    var pendingCommands: [PendingCommand] = []
    /// Local commands forwarded to the leader, with their deadline.
    var forwardedCommands: [RequestID: Instant] = [:]

    /// - Parameters:
    ///   - persisted: what the node had on stable storage (`.initial` on first start).
    ///   - seed: seeds the election-timeout jitter (the daemon passes a random value).
    public init(name: String, config: ClusterConfig, persisted: PersistentState, seed: UInt64, mutations: ElectionMutations = []) {
        precondition(config.node(named: name) != nil, "node \(name) is not in the configuration")
        self.name = name
        self.config = config
        self.timings = ElectionTimings(config.cluster)
        self.mutations = mutations
        self.persistent = persisted
        self.lastPersisted = persisted
        self.random = ElectionRandom(seed: seed)
        self.waitingForAll = config.quorum.waitForAll && config.nodes.count > 1
        self.committed = .zero
        self.arbiter = config.usesStorageTieBreaker ? StorageArbiter(storageTimeout: config.storageTimeout) : nil
    }

    // MARK: - Quorum arithmetic

    /// The voting members: the replicated list once recorded (`AdminState.voters`), else
    /// every configured node. A member missing from this node's configuration still counts.
    public var members: [String] { persistent.admin.voters ?? config.nodes.map(\.name) }
    /// This node votes, may campaign and may run the service (else it is a learner).
    public var isMember: Bool { members.contains(name) }
    /// The other voting members: whose votes, acknowledgements and copies count.
    var peers: [String] { members.filter { $0 != name } }
    /// Every other configured node, members and learners: who gets the leader's heartbeats.
    var contacts: [String] { config.nodes.map(\.name).filter { $0 != name } }
    var votersCount: Int { members.count }
    /// Votes needed: more than half, or one in `two_node` mode.
    public var quorumSize: Int { config.quorum.twoNode ? 1 : votersCount / 2 + 1 }
    /// Votes a campaign needs. In `two_node` mode one vote suffices only while
    /// the peer is not heard: a peer that is up must agree (it may hold a newer
    /// committed snapshot, and the up-to-date rule has to be able to say no).
    var voteQuorum: Int {
        guard config.quorum.twoNode else { return quorumSize }
        return peers.contains(where: { isOnline($0) }) ? votersCount : 1
    }
    /// Copies an admin change needs to be committed. In `two_node` mode both
    /// nodes, unless the peer was fenced: a change committed on one side of a
    /// split must not be lost when the other side wins.
    var commitQuorum: Int {
        guard config.quorum.twoNode else { return quorumSize }
        return fencedThisTerm.isEmpty ? votersCount : 1
    }
    var isWitness: Bool { config.node(named: name)?.role == .witness }

    /// When this node last heard `peer` (nil: never, or forgotten since it was fenced).
    public func lastHeard(from peer: String) -> Instant? { lastHeard[peer] }

    func isOnline(_ node: String) -> Bool {
        if node == name { return true }
        guard let heard = lastHeard[node] else { return false }
        return now.since(heard) < timings.failureTimeout
    }

    /// When the core next needs a tick (the shell may tick more often).
    public var nextDeadline: Instant {
        // A leader has no election timeout: its last one lies in the past, and counting it
        // made the daemon tick every millisecond while leading (a quarter of a core).
        var deadline = role == .leader ? min(nextHeartbeat, leaseExpiry) : electionDeadline
        if let claim = leaseClaimAt { deadline = min(deadline, claim) }
        if let retry = retryNotBefore, retry > now { deadline = min(deadline, retry) }
        for command in pendingCommands { deadline = min(deadline, command.deadline) }
        for forwarded in forwardedCommands.values { deadline = min(deadline, forwarded) }
        if let transfer = transferDeadline, transfer > now { deadline = min(deadline, transfer) }
        if let lost = arbiter?.ownAccessLostAt, lost > now { deadline = min(deadline, lost) }
        return deadline
    }

    /// The fence race rule (`two_node`), the one place it is decided: how long this
    /// node waits before fencing `target`. When a split 2-node cluster has both halves
    /// fence each other, exactly one side fences at once and survives:
    /// - the node holding the service (as the leader last announced it: `holder`)
    ///   fences at once, the other waits `[fencing] race_delay`;
    /// - when neither holds it, the node placement prefers (higher `priority`, then
    ///   the smaller name) fences at once, the other waits;
    /// - outside `two_node` there is no race (only a majority can fence): no delay.
    /// The shell executes the delay (`Action.fence`); each device's own `delay` comes
    /// on top. Manual fencing (`hactl fence`) never waits.
    public func fenceDelay(for target: String) -> Duration {
        guard config.quorum.twoNode, target != name else { return .zero }
        let first: String
        if let holder, holder == name || holder == target {
            first = holder
        } else {
            first = Self.preferred(name, target, config: config)
        }
        return first == name ? .zero : config.fencing.raceDelay
    }

    /// Of two nodes, the one placement prefers when nothing else decides: higher priority, then the smaller name.
    static func preferred(_ a: String, _ b: String, config: ClusterConfig) -> String {
        let pa = config.node(named: a)?.priority ?? NodeConfig.defaultPriority
        let pb = config.node(named: b)?.priority ?? NodeConfig.defaultPriority
        if pa != pb { return pa > pb ? a : b }
        return min(a, b)
    }

    // MARK: - Step

    /// Feeds one input; returns what the shell must do, in order.
    public mutating func step(_ input: Input, now: Instant, wallClock: UInt64) -> [Action] {
        self.now = max(self.now, now)
        self.wallClock = wallClock
        if started == nil {
            started = now
            resetElectionDeadline()
        }
        // Time first: a node resuming from a pause notices its expired lease
        // before it acts on anything that was waiting for it.
        runTimers()
        switch input {
        case .tick:
            break
        case .received(let message, let from):
            guard from != name, config.node(named: from) != nil else { break }
            lastHeard[from] = self.now
            fencedAndSilent.remove(from)
            stopWaitingOnceAllHeard()
            receive(message, from: from)
        case .command(let id, let command):
            submit(command, origin: .local(id))
        case .report(let report):
            handle(report)
        case .leave:
            startLeaving()
        case .arbiter(let cycle):
            recordArbiterCycle(cycle)
        case .override(let override, let uid, let heard):
            apply(override, uid: uid, heard: heard)
        case .membersSupported(let nodes):
            peersSupportingMembers = nodes
        }
        recordMembersIfDue()
        campaignIfPeerSilent()
        reconcileService()
        return finishStep()
    }

    mutating func finishStep() -> [Action] {
        var actions = outbox
        outbox.removeAll(keepingCapacity: true)
        if persistent != lastPersisted {
            // Persist first: every send of this step may depend on it.
            actions.insert(.persist(persistent), at: 0)
            lastPersisted = persistent
        }
        return actions
    }

    mutating func emit(_ action: Action) { outbox.append(action) }

    mutating func send(_ message: Message, to node: String) { outbox.append(.send(to: node, message)) }

    mutating func event(_ kind: EventKind, _ severity: ClusterEvent.Severity = .info, _ message: String, uid: UInt32? = nil) {
        outbox.append(.event(EventRecord(kind: kind, severity: severity, message: message, uid: uid)))
    }

    mutating func runTimers() {
        switch role {
        case .leader:
            leaderTimers()
        case .follower, .preCandidate, .candidate:
            if now >= electionDeadline { electionTimeout() }
        }
        announceStorageChanges()
        expireCommands()
    }

    mutating func resetElectionDeadline() {
        let jitter = UInt64(max(1, timings.electionJitter.nanoseconds))
        let extra = Int64(random.next(upperBound: jitter))
        electionDeadline = now + timings.failureTimeout + .nanoseconds(extra)
    }
}
