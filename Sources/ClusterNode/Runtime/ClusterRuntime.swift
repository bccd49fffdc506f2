import ClusterCore
import ClusterHost
import NIOCore
import NIOPosix

/// Drives one node's `ElectionNode` with real UDP and timers.
///
/// - Datagrams from every link are opened by a `WireSession` (rejections are
///   counted, never fatal) and fed to the core as `.received`; a peer counts as
///   heard when an authentic datagram arrives on ANY link.
/// - Every link to every peer is kept busy (a peer sent nothing for a heartbeat interval gets
///   the node info as a keepalive), so a `LinkMonitor` can tell, per peer and link, up from
///   down (`link.down` / `link.up` events, `status().links`).
/// - Ticks come at the core's `nextDeadline`, and at least every `tickInterval`, with `now`
///   from `CLOCK_BOOTTIME` and the wall clock in seconds. A step that brings the deadline
///   forward (a won election's lease claim) re-arms the timer; nothing ticks in between.
/// - Actions are performed in order: `persist` synchronously through the
///   `StateStore` before anything after it; `send` seals once per peer and
///   sends the datagram on every link; `takeover`/`fence`/`release` go to
///   `RuntimeEffects` one at a time; `reply` completes `submit`; `event`s go
///   to `RuntimeEffects.record`, as do the runtime's own (links, wire, persistence).
///
/// Persistence failure (the contract of `Action.persist`): when a save throws,
/// the step is rolled back (the core keeps the state that is on disk, as if the
/// input had been lost), nothing after the failed persist is performed, and
/// the node stops sending anything at all until a save succeeds again (retried
/// every tick). A silent node can win no vote, grant no vote and renew no
/// lease, so it claims nothing; if it was leader, its lease runs out and the
/// core releases the service as on any loss of quorum.
///
/// Wiring it in the daemon:
/// ```swift
/// let key = try ClusterKey.load(path: config.cluster.keyFile)
/// let incarnation = try IncarnationFile(directory: config.cluster.stateDir).advance()
/// let runtime = try ClusterRuntime(
///     config: config, localNode: name, key: key,
///     store: FileStateStore(directory: config.cluster.stateDir),
///     effects: takeover, incarnation: incarnation,
///     seed: UInt64.random(in: .min ... .max), eventLoop: loop)
/// try await runtime.start()
/// // watchdog, on `loop`: ping only if runtime.heartbeat.isAlive(within: interval)
/// // control socket: await runtime.submit(.disable), await runtime.status()
/// // SIGTERM: runtime.leave(), wait (bounded) for runtime.leaveProgress.isDone,
/// //          then if await runtime.stop() { release the service }, then exit
/// ```
public actor ClusterRuntime {
    public nonisolated let localNode: String
    public nonisolated let incarnation: Incarnation
    /// Beats at every loop iteration; the daemon pets the systemd watchdog only while it is recent.
    public nonisolated let heartbeat = LoopHeartbeat()
    /// The runtime's work (the actor, its sockets and timers) runs on this one
    /// event loop; a daemon that pets the systemd watchdog from the same loop
    /// stops petting when the runtime hangs.
    public nonisolated let eventLoop: any EventLoop

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        eventLoop.executor.asUnownedSerialExecutor()
    }

    private let config: ClusterConfig
    private let store: any StateStore
    private let effects: any RuntimeEffects
    private var machine: ElectionNode
    /// When this node campaigned, won and claimed its lease: the failover timeline's first steps.
    private var leadershipTimeline = LeadershipTimeline()
    private var session: WireSession

    private var links: UDPLinks?
    private var peerTargets: [String: [(address: SocketAddress, link: Int)]] = [:]
    private var receiveTask: Task<Void, Never>?
    private var tickTask: Task<Void, Never>?
    /// When `tickTask` wakes (nil while a tick runs or before the start), and which arming it is:
    /// a task cancelled after its sleep may still reach the actor, and then does nothing.
    private var tickDue: Instant?
    private var tickArming: UInt64 = 0
    private var running = false

    /// When each peer was last heard on each local link; link.down / link.up.
    private var linkMonitor: LinkMonitor
    /// When something was last sent to each peer (on every link): keepalives fill the gaps.
    private var lastSent: [String: Instant] = [:]
    private var lastRejectionEvent: [WireError.Reason: Instant] = [:]
    private var lastIntroduction: [String: Instant] = [:]
    /// The checks before any cryptography (`DatagramAdmission`), as configured; run on the
    /// sockets' event loop from `start` on (`inboundFilter`).
    private let admission: DatagramAdmission
    private var inboundFilter: InboundFilter?
    /// Filter rejections already told in an event, by reason.
    private var filterRejectionsTold: [WireError.Reason: UInt64] = [:]
    /// Flood mode: the sockets' kernel filter passes a peer's datagrams of its known run only,
    /// and one in `floodSampling` of the others (`SocketFilterProgram`). Entered when more than
    /// `floodThreshold` datagrams a second claim new runs beyond the budget; left after
    /// `floodCalm` without any.
    private var floodSince: Instant?
    private var floodCheck: (at: Instant, rateLimited: UInt64)?
    private var rateLimitedLately = false
    private var floodCalmSince: Instant?
    /// The runs the kernel filter was built with (rebuilt when one changes).
    private var filterRuns: [String: Incarnation] = [:]
    static let floodSampling: UInt32 = 256
    static let floodThreshold: UInt64 = 200
    static let floodCalm: Duration = .seconds(30)
    /// Release and configuration digest, told to and heard from the peers.
    private var nodeInfo: NodeInfoExchange
    /// Where measurements go (`setSampler`; none: not taken).
    private var sampler: (@Sendable (RuntimeSample) -> Void)?
    /// Send times of the newest heartbeats by sequence, for round trips (while sampling).
    private var heartbeatSendTimes: [UInt64: Instant] = [:]

    /// Peers whose node info says they decode member lists (fed to the core when it changes).
    private var peersSupportingMembers: Set<String> = []
    private var relayHandler: RelayHandler?
    private var relayWaiters: [UInt64: CheckedContinuation<Result<[UInt8], RelayFailure>, Never>] = [:]
    private var nextRelayID: UInt64 = 0

    private var persistenceError: StateStoreError?
    private var persistFailures: UInt64 = 0
    private var unsendable: UInt64 = 0
    /// Reports whose step was rolled back by a failed persist; fed again once saving works.
    private var deferredReports: [ResourceReport] = []
    /// A leave whose step was rolled back by a failed persist; fed again once saving works.
    private var deferredLeave = false
    /// Test-only breakage (see `RuntimeMutations`); empty in the daemon.
    var mutations: RuntimeMutations = []

    private var nextRequest: UInt64 = 0
    private var pendingReplies: [RequestID: CheckedContinuation<CommandOutcome, Never>] = [:]

    /// How often an unbound link is retried.
    static let rebindInterval: Duration = .seconds(2)
    private var lastRebind: Instant = .zero
    private var rebinding = false

    private var effectChain: Task<Void, Never>?
    /// Takeovers, releases and fences queued or running (a handover waits for none: it is refused).
    private var effectsInFlight = 0
    private var suspended = false
    private var takeoverTask: Task<Void, Never>?

    /// Loads the persisted state and prepares the core; binds nothing yet.
    ///
    /// - Parameters:
    ///   - key: the cluster key (`ClusterKey.load(path: config.cluster.keyFile)`).
    ///   - incarnation: this run's incarnation (`IncarnationFile.advance`).
    ///   - seed: seeds the core's election jitter (random in the daemon, fixed in tests).
    ///   - eventLoop: where the runtime runs (the actor's executor, sockets, timers).
    /// - Throws: `RuntimeError.unknownLocalNode`, `.nodeNameTooLong`, or `.stateUnavailable` when the
    ///   state file cannot be read (the node must not start).
    public init(
        config: ClusterConfig,
        localNode: String,
        key: ClusterKey,
        store: any StateStore,
        effects: any RuntimeEffects,
        incarnation: Incarnation,
        seed: UInt64,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        restoring handover: RuntimeHandover? = nil
    ) throws(RuntimeError) {
        guard config.node(named: localNode) != nil else { throw .unknownLocalNode(localNode) }
        if let long = config.nodes.first(where: { $0.name.utf8.count > WireFormat.maxStringLength || $0.name.isEmpty }) {
            throw .nodeNameTooLong(long.name)
        }
        let persisted: PersistentState
        do {
            persisted = try store.load() ?? .initial
        } catch {
            throw .stateUnavailable(error)
        }
        self.config = config
        self.localNode = localNode
        self.nodeInfo = NodeInfoExchange(
            local: NodeInfo(software: ProductVersion.current, config: ConfigDigest(config)),
            peers: config.nodes.map(\.name).filter { $0 != localNode }, now: SystemClock.monotonicNow())
        self.linkMonitor = LinkMonitor(
            peers: config.nodes.map(\.name).filter { $0 != localNode },
            localAddresses: config.node(named: localNode)!.addresses, failureTimeout: config.cluster.failureTimeout)
        self.store = store
        self.effects = effects
        let keys = WireKeys(clusterKey: key, clusterName: config.cluster.name)
        self.admission = DatagramAdmission(
            localNode: localNode, clusterTag: keys.clusterTag, port: Int(config.cluster.port),
            peerAddresses: Dictionary(uniqueKeysWithValues: config.nodes.map { node in
                (node.name, Set(node.addresses.map(InboundFilter.normalized)))
            }))
        if let handover {
            // A re-execution in place: the same member of the cluster goes on (same incarnation,
            // sequence numbers continuing, role and lease as they were).
            do {
                self.machine = try ElectionNode(
                    name: localNode, config: config, persisted: persisted, seed: seed, restoring: handover.election)
            } catch {
                throw .handoverRejected(error.description)
            }
            self.session = WireSession(keys: keys, localNode: localNode, peers: config.nodes.map(\.name), restoring: handover.wire)
            self.incarnation = Incarnation(handover.wire.incarnation)
        } else {
            self.machine = ElectionNode(name: localNode, config: config, persisted: persisted, seed: seed)
            self.session = WireSession(
                keys: keys,
                localNode: localNode,
                incarnation: incarnation,
                peers: config.nodes.map(\.name)
            )
            self.incarnation = incarnation
        }
        self.eventLoop = eventLoop
    }

    // MARK: - Lifecycle

    /// Binds the cluster port on every address of the local node and starts
    /// the receive and tick loops. A link that cannot be bound is reported
    /// (`link.unbound` event, `status().unboundLinks`) and retried; only when
    /// no link can be bound does this throw `RuntimeError.bindFailed`.
    public func start() async throws(RuntimeError) {
        guard !running, links == nil else { throw .alreadyStarted }
        let local = config.node(named: localNode)!
        let filter = InboundFilter(admission: admission, admitsEverything: mutations.contains(.unfilteredInbound))
        for peer in config.nodes.map(\.name) {
            if let known = session.newestIncarnation(of: peer) { filter.heard(peer, incarnation: known) }
        }
        inboundFilter = filter
        let (links, failures) = try await UDPLinks.bind(addresses: local.addresses, port: Int(config.cluster.port), group: eventLoop, filter: filter)
        self.links = links
        if !mutations.contains(.unfilteredInbound) {
            let programs = socketFilterPrograms()
            for failure in await links.setSocketFilters(v4: programs.v4, v6: programs.v6) {
                record(kind: .wireRejected, severity: .error, "link \(failure.link): cannot attach the socket filter: \(failure.error)")
            }
        }
        for failure in failures {
            record(kind: .linkUnbound, severity: .error, "link \(failure.link): \(failure.error); running on the other links, retrying every \(Self.rebindInterval)")
        }
        for peer in config.nodes where peer.name != localNode {
            var targets: [(SocketAddress, Int)] = []
            for (index, text) in peer.addresses.enumerated() {
                guard let address = try? SocketAddress(ipAddress: text, port: Int(config.cluster.port)),
                      let link = links.link(forPeerAddressIndex: index, remote: address)
                else {
                    record(kind: .wireUnreachable, severity: .warning,
                           "no local link can reach \(peer.name) at \(text) (address family or literal)")
                    continue
                }
                targets.append((address, link))
            }
            peerTargets[peer.name] = targets
        }
        running = true
        record(kind: .runtimeStarted, severity: .info,
               "listening on \(local.addresses.map { "\($0):\(config.cluster.port)" }.joined(separator: ", ")), incarnation \(incarnation), term \(machine.persistent.term)")
        receiveTask = Task { [weak self] in
            for await datagram in links.inbound {
                guard let self else { return }
                await self.handle(datagram)
            }
        }
        armTick(in: .zero, now: SystemClock.monotonicNow())
    }

    private func armTick(in delay: Duration, now: Instant) {
        tickTask?.cancel()
        tickArming &+= 1
        let arming = tickArming
        tickDue = now + delay
        tickTask = Task { [weak self] in
            do { try await Task.sleep(for: delay) } catch { return }
            await self?.tickFired(arming)
        }
    }

    /// Measurements (heartbeat round trips, loop lateness) go to `sampler` from now on.
    public func setSampler(_ sampler: @escaping @Sendable (RuntimeSample) -> Void) {
        self.sampler = sampler
    }

    private func tickFired(_ arming: UInt64) {
        guard arming == tickArming else { return }
        if let sampler, let due = tickDue {
            sampler(.loopLag(max(.zero, SystemClock.monotonicNow().since(due))))
        }
        tickDue = nil
        guard let delay = tick() else { return }
        armTick(in: delay, now: SystemClock.monotonicNow())
    }

    /// Stops the loops and closes the sockets. Pending `submit`s get `.noQuorum`.
    /// Waits for a running takeover or release to return (a takeover is
    /// cancelled first). Does not release the service by itself.
    /// - Returns: whether anything of the service may still run here (the
    ///   daemon then releases it before exiting).
    @discardableResult
    public func stop() async -> Bool {
        running = false
        tickTask?.cancel()
        receiveTask?.cancel()
        takeoverTask?.cancel()
        await links?.close()
        links = nil
        for (_, continuation) in pendingReplies {
            continuation.resume(returning: .noQuorum)
        }
        pendingReplies.removeAll()
        for (_, waiter) in relayWaiters { waiter.resume(returning: .failure(.unreachable("this daemon is stopping"))) }
        relayWaiters.removeAll()
        await effectChain?.value
        return machine.service.mayRun
    }

    /// Why the runtime cannot be handed over to a re-executed image right now (a takeover,
    /// release or fence in progress), or nil.
    public func handoverBlocker() -> String? {
        guard running else { return "the cluster runtime is not running" }
        if effectsInFlight > 0 { return "a takeover, release or fence is in progress; retry once it is done" }
        do {
            _ = try machine.snapshot()
        } catch {
            return error.description
        }
        return nil
    }

    /// Stops the runtime for a re-execution in place and returns what the next image needs to
    /// go on as the same member: the core's volatile state and the wire session. Like `stop`,
    /// closes the sockets and answers pending `submit`s; unlike it, refuses (returning the
    /// reason, runtime untouched) while a takeover, release or fence is in progress.
    public func suspendForHandover() async -> Result<RuntimeHandover, RuntimeError> {
        if let blocker = handoverBlocker() { return .failure(.handoverRejected(blocker)) }
        let election: ElectionSnapshot
        do {
            election = try machine.snapshot()
        } catch {
            return .failure(.handoverRejected(error.description))
        }
        running = false
        suspended = true
        tickTask?.cancel()
        receiveTask?.cancel()
        // No datagram is sealed after this point: the snapshot's sequence number stays the next one.
        let wire = session.snapshot
        let suspendedAt = SystemClock.monotonicNow()
        await links?.close()
        links = nil
        for (_, continuation) in pendingReplies {
            continuation.resume(returning: .noQuorum)
        }
        pendingReplies.removeAll()
        for (_, waiter) in relayWaiters { waiter.resume(returning: .failure(.unreachable("this daemon is stopping"))) }
        relayWaiters.removeAll()
        return .success(RuntimeHandover(election: election, wire: wire, suspendedAt: suspendedAt.nanoseconds))
    }

    /// Test hook: break a mechanism on purpose (before `start`).
    func setMutations(_ mutations: RuntimeMutations) {
        self.mutations = mutations
    }

    /// Test hook: closes the socket of local link `link` (nothing is sent or received on it);
    /// the runtime binds it again at its next retry, `rebindInterval` from now.
    func closeLinkForTest(_ link: Int) async {
        lastRebind = SystemClock.monotonicNow()
        await links?.closeLink(link)
    }

    // MARK: - Inputs from the daemon

    /// Submits an admin command; returns once a quorum committed it, or with
    /// `.noQuorum` / `.rejected`. Never waits longer than the core's command
    /// timeout plus one second.
    public func submit(_ command: AdminCommand) async -> CommandOutcome {
        guard running else { return .noQuorum }
        nextRequest += 1
        let id = RequestID(nextRequest)
        let timeout = machine.timings.commandTimeout + .seconds(1)
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.resolve(id, .noQuorum)
        }
        return await withCheckedContinuation { continuation in
            pendingReplies[id] = continuation
            step(.command(id, command))
        }
    }

    /// An operator override (`hactl fence confirm`, `hactl quorum unblock`) by `uid`: applied
    /// by the core at once, with what the links hear now; returns why it was refused, or nil.
    public func override(_ override: OperatorOverride, uid: UInt32) -> OverrideRefusal? {
        guard running, !suspended else { return .leaving(localNode) }
        let heard = linkMonitor.heardLinks(now: SystemClock.monotonicNow())
        let failures = persistFailures
        step(.override(override, uid: uid, heard: heard))
        if persistFailures != failures {
            return .notPersisted(node: localNode)
        }
        return machine.overrideRefusal
    }

    /// Reports a result of a takeover, release or fence, or a service failure
    /// found by monitoring (`.serviceFailed`).
    public func report(_ report: ResourceReport) {
        // Suspended for a re-execution: the next image's monitor finds a failure again.
        guard !suspended else { return }
        step(.report(report))
    }

    /// One disk-heartbeat cycle's result (`tie_breaker = "storage"`, `ArbiterMonitor`).
    public func arbiterCycle(_ cycle: ArbiterCycle) {
        guard !suspended, running else { return }
        step(.arbiter(cycle))
    }

    /// What this node's next disk heartbeat says: its term, whether it leads and whether it may run the service.
    /// The member list this node stored (`AdminState.voters`; nil: not recorded yet).
    public func recordedMembers() -> [String]? { machine.persistent.admin.voters }

    public func arbiterFields() -> (term: Term, leader: Bool, holding: Bool) {
        (machine.term, machine.role == .leader, machine.service.mayRun)
    }

    /// SIGTERM: starts a planned leave (`Input.leave`): a leader releases, takes
    /// itself off the record of possible holders and hands leadership over; the
    /// node stops campaigning. Keep the runtime running until `leaveProgress` is
    /// done (or a bound passed), then `stop()`.
    public func leave() {
        guard running else { return }
        step(.leave)
    }

    /// Where the planned leave is (`.notLeaving` before `leave()`).
    public var leaveProgress: LeaveProgress { machine.leaveProgress }

    // MARK: - Views

    public func status() -> RuntimeStatus {
        let now = SystemClock.monotonicNow()
        let local = config.node(named: localNode)!
        var linkStatus: [RuntimeStatus.Link] = []
        for peer in config.nodes where peer.name != localNode {
            for (index, address) in local.addresses.enumerated() {
                let heard = linkMonitor.lastHeard(peer.name, link: index).map { now.since($0) }
                linkStatus.append(RuntimeStatus.Link(peer: peer.name, link: index, localAddress: address, lastHeard: heard))
            }
        }
        return RuntimeStatus(
            election: machine.status,
            incarnation: incarnation,
            wire: wireCounters,
            links: linkStatus,
            unboundLinks: links?.unboundLinks ?? [],
            persistence: persistenceError.map { .failing($0) } ?? .healthy,
            persistFailures: persistFailures,
            inboundDropped: links?.inboundDropped ?? 0,
            sendFailures: links?.sendFailures ?? 0,
            unsendable: unsendable,
            localInfo: nodeInfo.local,
            peerInfo: Dictionary(uniqueKeysWithValues: config.nodes.compactMap { node in
                nodeInfo.info(of: node.name).map { (node.name, $0) }
            })
        )
    }

    /// The session's counters with the rejections of the filter before it.
    private var wireCounters: WireCounters {
        var counters = session.counters
        for (reason, count) in inboundFilter?.rejections.counts ?? [:] { counters.rejected[reason, default: 0] &+= count }
        return counters
    }

    /// Tells what the inbound filter refused since the last event: at most one event per
    /// reason a minute, like the session's rejections, naming the last one and the count.
    private func reportFilterRejections(now: Instant) {
        guard let (counts, last) = inboundFilter?.rejections else { return }
        for (reason, count) in counts.sorted(by: { $0.key < $1.key }) where count > filterRejectionsTold[reason, default: 0] {
            if let told = lastRejectionEvent[reason], now.since(told) < .seconds(60) { continue }
            let new = count - filterRejectionsTold[reason, default: 0]
            filterRejectionsTold[reason] = count
            lastRejectionEvent[reason] = now
            guard let rejection = last[reason] else { continue }
            record(kind: .wireRejected, severity: .warning, "dropped \(new) datagram(s) before decryption, the last from \(rejection.source): \(rejection.error) (further drops for this reason are only counted for a minute)")
        }
    }

    /// The kernel filter for the current peers' runs and flood mode.
    private func socketFilterPrograms() -> (v4: SocketFilterProgram, v6: SocketFilterProgram) {
        var v4: [SocketFilterProgram.Source] = [], v6: [SocketFilterProgram.Source] = []
        for node in config.nodes where node.name != localNode {
            let known = session.newestIncarnation(of: node.name)
            for text in node.addresses {
                guard let address = IPAddressLiteral(text) else { continue }
                let source = SocketFilterProgram.Source(address: address.bytes, knownIncarnation: known)
                if address.family == .ipv4 { v4.append(source) } else { v6.append(source) }
            }
        }
        let sampling = floodSince == nil ? nil : Self.floodSampling
        let port = UInt16(config.cluster.port)
        return (SocketFilterProgram(family: .v4, port: port, clusterTag: admission.clusterTag, version: WireFormat.version, sources: v4, sampleUnknownRuns: sampling),
                SocketFilterProgram(family: .v6, port: port, clusterTag: admission.clusterTag, version: WireFormat.version, sources: v6, sampleUnknownRuns: sampling))
    }

    /// Attaches the kernel filter again when a peer's known run changed (in flood mode the
    /// filter names the runs) or the mode changed.
    private func refreshSocketFilters(force: Bool = false) {
        guard let links, !mutations.contains(.unfilteredInbound) else { return }
        var runs: [String: Incarnation] = [:]
        for node in config.nodes where node.name != localNode {
            if let known = session.newestIncarnation(of: node.name) { runs[node.name] = known }
        }
        guard force || (floodSince != nil && runs != filterRuns) else { return }
        filterRuns = runs
        let programs = socketFilterPrograms()
        Task { [weak self] in
            let failures = await links.setSocketFilters(v4: programs.v4, v6: programs.v6)
            for failure in failures {
                await self?.record(kind: .wireRejected, severity: .error, "link \(failure.link): cannot attach the socket filter: \(failure.error)")
            }
        }
    }

    /// Whether datagrams were rate-limited in the last window, or flood mode is on: the loop
    /// then ticks every 100 ms.
    private var floodSuspected: Bool { floodSince != nil || rateLimitedLately }

    /// Flood mode on when new runs beyond the budget arrive faster than `floodThreshold` a
    /// second (measured over 100 ms); off after `floodCalm` without any.
    private func watchForFloods(now: Instant) {
        guard let counts = inboundFilter?.rejections.counts else { return }
        let limited = counts[.rateLimited, default: 0]
        guard let last = floodCheck else { floodCheck = (now, limited); return }
        // Every 100 ms: the lease must not run out while the kernel still passes a flood that
        // overflows the socket's queue (the first fresh-clone run lost it 0.7 s into a flood
        // when this looked once a second).
        let elapsed = now.since(last.at)
        guard elapsed >= .milliseconds(100) else { return }
        floodCheck = (now, limited)
        rateLimitedLately = limited > last.rateLimited
        let perSecond = Double(limited - last.rateLimited) / (elapsed / .seconds(1))
        if floodSince == nil {
            guard perSecond > Double(Self.floodThreshold) else { return }
            floodSince = now
            floodCalmSince = nil
            record(kind: .wireFlood, severity: .warning, "flood of datagrams claiming new runs of peers (\(Int(perSecond))/s beyond the budget): the kernel now passes only the peers' known runs and 1 in \(Self.floodSampling) others; a peer that restarts meanwhile rejoins slowly")
            refreshSocketFilters(force: true)
        } else if limited > last.rateLimited {
            floodCalmSince = nil
        } else if let calm = floodCalmSince {
            guard now.since(calm) >= Self.floodCalm, let since = floodSince else { return }
            floodSince = nil
            floodCalmSince = nil
            record(kind: .wireFlood, severity: .notice, "the flood of new runs is over after \(DurationText.format(now.since(since))): every run passes the kernel filter again")
            refreshSocketFilters(force: true)
        } else {
            floodCalmSince = now
        }
    }

    // MARK: - Loop

    /// One tick; returns how long to sleep before the next.
    private func tick() -> Duration? {
        guard running else { return nil }
        if persistenceError != nil { retryPersistence() }
        step(.tick)
        let now = SystemClock.monotonicNow()
        if !mutations.contains(.firstReleaseWire) {
            for (peer, info) in nodeInfo.due(now: now) { send(info, to: peer) }
            sendKeepalives(now: now)
        }
        reportFilterRejections(now: now)
        watchForFloods(now: now)
        let watched = Set(peerTargets.keys.filter { nodeInfo.info(of: $0) != nil })
        for change in linkMonitor.check(now: now, watching: watched) {
            record(kind: change.kind, severity: change.severity, change.message)
        }
        if let links, !rebinding, now.since(lastRebind) >= Self.rebindInterval, !links.unboundLinks.isEmpty {
            lastRebind = now
            rebinding = true
            Task { [weak self] in
                let unbound = links.unboundLinks
                let failures = await links.bindMissing()
                await self?.rebound(Set(unbound).subtracting(failures.map(\.link)).sorted())
            }
        }
        // While datagrams are being rate-limited, look at the flood every 100 ms: the lease must
        // not run out while the kernel still passes it (see `watchForFloods`).
        let interval = floodSuspected ? min(machine.timings.tickInterval, .milliseconds(100)) : machine.timings.tickInterval
        let untilDeadline = machine.nextDeadline.since(now)
        return max(.milliseconds(1), min(interval, untilDeadline))
    }

    /// Followers send the election nothing to each other, so every link to every peer is kept
    /// busy: a peer sent nothing for a heartbeat interval gets this node's info (no reply
    /// wanted) on every link. Only peers that told their node info get it: a release without
    /// node info drops that kind and is told at most once a minute (`NodeInfoExchange`).
    private func sendKeepalives(now: Instant) {
        for peer in peerTargets.keys.sorted() where nodeInfo.info(of: peer) != nil {
            if let sent = lastSent[peer], now.since(sent) < machine.timings.heartbeatInterval { continue }
            send(nodeInfo.local, to: peer)
        }
    }

    /// A peer sent a datagram that is not bound to this run (it has not heard this run yet, or
    /// it is a replay): the session has learnt the peer's run, so this node's info, bound to it,
    /// tells the peer this run at once instead of at the next heartbeat. At most one per peer
    /// per 100 ms, so that replayed datagrams cannot make this node send a flood.
    private func introduce(to peer: String, now: Instant) {
        if mutations.contains(.firstReleaseWire) { return }
        if let last = lastIntroduction[peer], now.since(last) < .milliseconds(100) { return }
        lastIntroduction[peer] = now
        send(nodeInfo.local, to: peer)
    }

    private func rebound(_ links: [Int]) {
        rebinding = false
        for link in links {
            record(kind: .linkBound, severity: .notice, "link \(link) (\(config.node(named: localNode)!.addresses[link])) is bound now")
        }
    }

    private func handle(_ datagram: UDPLinks.Datagram) {
        guard running else { return }
        let now = SystemClock.monotonicNow()
        do {
            let firstRelease = mutations.contains(.firstReleaseWire)
            let opened = try session.open(datagram.bytes) { (kind, payload) throws(WireError) -> Inbound in
                switch kind {
                case .electionMessage: return .election(try MessageCodec.decode(payload))
                case .nodeInfo where firstRelease, .relay where firstRelease:
                    throw .malformed(field: "kind", reason: "unknown payload kind \(kind.rawValue)")
                case .relay: return .relay(try RelayMessage.decode(payload))
                case .nodeInfo: return .nodeInfo(try NodeInfo.decode(payload))
                }
            }
            linkMonitor.heard(opened.sender, link: datagram.link, now: now)
            inboundFilter?.heard(opened.sender, incarnation: opened.incarnation)
            if floodSince != nil, filterRuns[opened.sender] != opened.incarnation { refreshSocketFilters() }
            switch opened.payload {
            case let .election(message):
                nodeInfo.heard(opened.sender, incarnation: opened.incarnation, now: now)
                if let sampler, case let .heartbeatAck(_, sequence, _, _) = message, let sent = heartbeatSendTimes[sequence] {
                    sampler(.heartbeatRoundTrip(peer: opened.sender, now.since(sent)))
                }
                step(.received(message, from: opened.sender))
            case let .nodeInfo(info):
                nodeInfo.received(info, from: opened.sender, incarnation: opened.incarnation, now: now)
                let supporting = Set(config.nodes.map(\.name).filter { nodeInfo.info(of: $0)?.membersSupported == true })
                if supporting != peersSupportingMembers {
                    peersSupportingMembers = supporting
                    step(.membersSupported(supporting))
                }
            case let .relay(message):
                nodeInfo.heard(opened.sender, incarnation: opened.incarnation, now: now)
                received(message, from: opened.sender)
            }
        } catch {
            if let sender = error.authenticatedSender {
                linkMonitor.heard(sender, link: datagram.link, now: now)
            }
            if case let .otherRun(sender, incarnation, _) = error {
                inboundFilter?.heard(sender, incarnation: incarnation)
                introduce(to: sender, now: now)
                return
            }
            // A second link's copy is normal; anything else is worth one event per reason per minute.
            guard error.reason != .duplicate else { return }
            if let last = lastRejectionEvent[error.reason], now.since(last) < .seconds(60) { return }
            lastRejectionEvent[error.reason] = now
            record(kind: .wireRejected, severity: .warning, "dropped datagram from \(datagram.remote): \(error) (further drops for this reason are only counted for a minute)")
        }
    }

    /// Feeds one input to the core and performs the actions (see the type's
    /// documentation for the order and the persistence-failure rule).
    private func step(_ input: Input) {
        var next = machine
        let now = SystemClock.monotonicNow()
        let actions = next.step(input, now: now, wallClock: SystemClock.wallClockSeconds())
        heartbeat.beat()
        // Kept with `machine`: a step rolled back (persist failed) leaves the timeline too.
        var timeline = leadershipTimeline
        timeline.observe(before: machine, after: next, now: now)
        for action in actions {
            switch action {
            case .persist(let state):
                do {
                    try store.save(state)
                } catch {
                    if mutations.contains(.ignorePersistFailures) {
                        persistFailures += 1
                        continue
                    }
                    persistFailed(error, input: input)
                    return // roll back: `machine` keeps the state that is on disk
                }
                persistenceRecovered()
            case .send(let peer, let message):
                send(message, to: peer)
            case .takeover(let term, let fenceFirst):
                if persistenceError != nil {
                    // Unreachable by the core's rules (leadership needs a persist); belt and braces.
                    deferredReports.append(.takeoverFailed(term: term, reason: "local state cannot be persisted"))
                    continue
                }
                let previous = next.previousHolder ?? fenceFirst.first
                let context = TakeoverContext(
                    previousHolder: next.previousHolder,
                    prelude: timeline.prelude(lastHeard: previous.flatMap { machine.lastHeard(from: $0) }, decided: now))
                startTakeover(term: term, fenceFirst: fenceFirst, context: context)
            case .restart(let term):
                startRestart(term: term)
            case .fence(let node, let delay):
                startFence(node, delay: delay)
            case .release(let reason):
                startRelease(reason)
            case .reply(let id, let outcome):
                resolve(id, outcome)
            case .event(let event):
                effects.record(event)
            }
        }
        machine = next
        leadershipTimeline = timeline
        tellServicePhase(now: now)
        if running, let due = tickDue, machine.nextDeadline < due {
            armTick(in: max(.milliseconds(1), machine.nextDeadline.since(now)), now: now)
        }
    }

    /// Peers learn at once where this node's copy of the service stands (`NodeInfo.service`):
    /// their `hactl status` then says "starting" until the takeover is done here, not "started"
    /// from the moment the holder is recorded.
    private func tellServicePhase(now: Instant) {
        let phase: NodeInfo.ServicePhase
        switch machine.service {
        case .idle: phase = .idle
        case .takingOver: phase = .starting
        case .holding: phase = .started
        case .releasing: phase = .stopping
        }
        guard nodeInfo.update(service: phase, now: now), running, !mutations.contains(.firstReleaseWire) else { return }
        for (peer, info) in nodeInfo.due(now: now) { send(info, to: peer) }
    }

    /// What a datagram carries.
    private enum Inbound: Sendable {
        case election(Message)
        case nodeInfo(NodeInfo)
        case relay(RelayMessage)
    }

    // MARK: - Relays (requests to a peer's daemon)

    /// Answers relay requests from peers (set by the daemon): the request's body in, the
    /// answer's body out, or an error text.
    public typealias RelayHandler = @Sendable (_ body: [UInt8], _ from: String) async -> Result<[UInt8], RelayFailure>

    public func setRelayHandler(_ handler: @escaping RelayHandler) {
        relayHandler = handler
    }

    /// Sends `body` to `peer`'s daemon and waits for its answer, at most `timeout`.
    public func relay(_ body: [UInt8], to peer: String, timeout: Duration) async -> Result<[UInt8], RelayFailure> {
        guard running else { return .failure(.unreachable("the cluster runtime is not running")) }
        guard config.node(named: peer) != nil, peer != localNode else { return .failure(.unreachable("\(peer) is not a peer of this node")) }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        if session.newestIncarnation(of: peer) == nil {
            // Not heard since this run started: a request now would not be bound to the peer's
            // run, and it would drop it. Introduce this run and wait for the peer's answer.
            send(nodeInfo.local, to: peer)
            while session.newestIncarnation(of: peer) == nil, clock.now < deadline, running {
                try? await Task.sleep(for: .milliseconds(10))
            }
            guard session.newestIncarnation(of: peer) != nil else {
                return .failure(.unreachable("\(peer) did not answer within \(DurationText.format(timeout)) (is haclusterd running there, and of this release?)"))
            }
        }
        nextRelayID += 1
        let id = nextRelayID
        let message = RelayMessage(id: id, kind: .request, body: body)
        guard sendRelay(message, to: peer) else {
            return .failure(.unreachable("cannot send to \(peer) (no address bound, or the request is too large)"))
        }
        return await withCheckedContinuation { continuation in
            relayWaiters[id] = continuation
            Task { [weak self] in
                try? await Task.sleep(until: deadline, clock: clock)
                await self?.relayTimedOut(id, peer: peer, after: timeout)
            }
        }
    }

    private func relayTimedOut(_ id: UInt64, peer: String, after timeout: Duration) {
        relayWaiters.removeValue(forKey: id)?.resume(returning: .failure(.unreachable(
            "\(peer) did not answer within \(DurationText.format(timeout)) (is haclusterd running there, and of a release that answers relays?)")))
    }

    private func received(_ message: RelayMessage, from peer: String) {
        switch message.kind {
        case .answer:
            relayWaiters.removeValue(forKey: message.id)?.resume(returning: .success(message.body))
        case .error:
            relayWaiters.removeValue(forKey: message.id)?.resume(returning: .failure(.refused(String(decoding: message.body, as: UTF8.self))))
        case .request:
            guard let handler = relayHandler else {
                _ = sendRelay(RelayMessage(id: message.id, kind: .error, body: Array("this daemon answers no relays".utf8)), to: peer)
                return
            }
            Task { [weak self] in
                let outcome = await handler(message.body, peer)
                let answer: RelayMessage
                switch outcome {
                case let .success(body): answer = RelayMessage(id: message.id, kind: .answer, body: body)
                case let .failure(failure): answer = RelayMessage(id: message.id, kind: .error, body: Array(failure.description.utf8))
                }
                _ = await self?.sendRelay(answer, to: peer)
            }
        }
    }

    @discardableResult
    private func sendRelay(_ message: RelayMessage, to peer: String) -> Bool {
        // A relay answers an operator's request: sent even while the state cannot be saved.
        sendSealed(to: peer, kind: .relay, what: "a relay", countsAsKeepalive: false) { () throws(WireError) in try message.encode() }
    }

    private func send(_ info: NodeInfo, to peer: String) {
        guard persistenceError == nil else { return }
        sendSealed(to: peer, kind: .nodeInfo, what: "node info") { () throws(WireError) in try info.encode() }
    }

    private func send(_ message: Message, to peer: String) {
        // A node that cannot persist says nothing: no vote, no ack, no heartbeat.
        guard persistenceError == nil else { return }
        if sampler != nil, case let .heartbeat(_, sequence, _, _, _, _) = message, heartbeatSendTimes[sequence] == nil {
            if heartbeatSendTimes.count >= 32, let oldest = heartbeatSendTimes.keys.min() { heartbeatSendTimes.removeValue(forKey: oldest) }
            heartbeatSendTimes[sequence] = SystemClock.monotonicNow()
        }
        sendSealed(to: peer, kind: .electionMessage, what: "\(message.kind)") { () throws(WireError) in try MessageCodec.encode(message) }
    }

    /// Encodes, seals for `peer` and sends on every link to it; false when `peer` has no
    /// bound link or the payload cannot be encoded or sealed (counted, recorded).
    @discardableResult
    private func sendSealed(
        to peer: String, kind: WireFormat.PayloadKind, what: String, countsAsKeepalive: Bool = true,
        _ payload: () throws(WireError) -> [UInt8]
    ) -> Bool {
        guard let links, let targets = peerTargets[peer], !targets.isEmpty else { return false }
        let datagram: [UInt8]
        do {
            datagram = try session.seal(try payload(), kind: kind, to: peer)
        } catch {
            unsendable += 1
            record(kind: .wireUnsendable, severity: .error, "cannot send \(what) to \(peer): \(error)")
            return false
        }
        for target in targets {
            links.send(datagram, to: target.address, link: target.link)
        }
        if countsAsKeepalive { lastSent[peer] = SystemClock.monotonicNow() }
        return true
    }

    // MARK: - Persistence failure

    private func persistFailed(_ error: StateStoreError, input: Input) {
        persistFailures += 1
        if persistenceError == nil {
            record(kind: .persistFailed, severity: .error,
                   "\(error); this node stops sending (it can neither vote nor lead) until its state can be saved again")
        }
        persistenceError = error
        switch input {
        case .report(let report):
            deferredReports.append(report)
        case .command(let id, _):
            resolve(id, .noQuorum)
        case .leave:
            deferredLeave = true
        case .tick, .received, .arbiter, .override, .membersSupported:
            break // like a lost datagram, a late tick or a missed disk heartbeat
        }
    }

    private func persistenceRecovered() {
        guard persistenceError != nil else { return }
        persistenceError = nil
        record(kind: .persistRecovered, severity: .notice, "the state directory is writable again; resuming")
    }

    /// While failing: try to save the state the core already has (what is on
    /// disk, or should be); on success resume and replay deferred reports.
    private func retryPersistence() {
        do {
            try store.save(machine.persistent)
        } catch {
            persistFailures += 1
            persistenceError = error
            return
        }
        persistenceRecovered()
        let reports = deferredReports
        deferredReports.removeAll()
        for report in reports {
            step(.report(report))
        }
        if deferredLeave {
            deferredLeave = false
            step(.leave)
        }
    }

    // MARK: - Effects

    private func enqueueEffect(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let previous = effectChain
        effectsInFlight += 1
        let task = Task {
            await previous?.value
            await work()
            await self.effectDone()
        }
        effectChain = task
        return task
    }

    private func effectDone() {
        effectsInFlight -= 1
    }

    private func startTakeover(term: Term, fenceFirst: [String], context: TakeoverContext) {
        let effects = self.effects
        let reporter: @Sendable (ResourceReport) async -> Void = { [weak self] report in
            await self?.report(report)
        }
        takeoverTask = enqueueEffect {
            await effects.takeOver(term: term, fenceFirst: fenceFirst, context: context, report: reporter)
        }
    }

    private func startRestart(term: Term) {
        let effects = self.effects
        let reporter: @Sendable (ResourceReport) async -> Void = { [weak self] report in
            await self?.report(report)
        }
        // Like a takeover: a release requested meanwhile cancels it.
        takeoverTask = enqueueEffect {
            await effects.restartInPlace(term: term, report: reporter)
        }
    }

    private func startFence(_ node: String, delay: Duration) {
        let effects = self.effects
        _ = enqueueEffect { [weak self] in
            let outcome = await effects.fence(node: node, delay: delay)
            await self?.report(outcome.succeeded ? .fenced(node: node) : .fenceFailed(node: node, reason: outcome.detail))
        }
    }

    private func startRelease(_ reason: ReleaseReason) {
        takeoverTask?.cancel()
        takeoverTask = nil
        let effects = self.effects
        _ = enqueueEffect { [weak self] in
            await effects.release(reason: reason)
            await self?.report(.released)
        }
    }

    private func resolve(_ id: RequestID, _ outcome: CommandOutcome) {
        pendingReplies.removeValue(forKey: id)?.resume(returning: outcome)
    }

    // MARK: - Events

    private func record(kind: EventKind, severity: ClusterEvent.Severity, _ message: String) {
        effects.record(EventRecord(kind: kind, severity: severity, message: message))
    }
}
