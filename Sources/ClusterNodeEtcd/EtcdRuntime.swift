#if Etcd
import ClusterCore
import ClusterHost
import ClusterNode
import EtcdBackend
import NIOCore
import NIOPosix

/// Drives one node's `EtcdCoordinator` with a real etcd cluster (`[cluster] backend = "etcd"`):
/// the shell of the etcd backend, as `ClusterRuntime` is the built-in one's.
///
/// - The lease: `EtcdLeaseKeeper` keeps it alive; the runtime ticks at least every
///   `tickInterval` and at the keeper's deadline, and tells the coordinator the lease is lost as
///   soon as the hold runs out (the margin rule: before the server can expire it).
/// - Presence: `<prefix>/nodes/<name>`, bound to the lease, written once per lease; its value is
///   the node's `NodeInfo` (release and configuration digest, as the built-in backend tells its
///   peers), so `hactl status` shows each node's release and warns when configurations differ.
/// - What the others do: a watch on the whole prefix (a vacancy, an admin change, a node's
///   presence are seen at once), and a linearizable read of the whole prefix every
///   `pollInterval` (leader, holder record, admin state, presence) that catches up after a broken
///   watch. Each item is applied in revision order: a read answered after a newer watch event or
///   campaign says nothing new.
/// - Admin commands (`submit`): read `<prefix>/admin`, apply the command (`AdminState.applying`,
///   the built-in backend's rule), write it back in one transaction that compares the
///   `mod_revision` read; a concurrent change makes it read and apply again.
/// - Every etcd call the coordinator asks for runs on a task of its own and comes back as an
///   input; service steps (fence, takeover, release) go to `RuntimeEffects` one at a time, as in
///   the built-in runtime.
/// - The members' health: `Maintenance.Status` of each endpoint every `healthInterval`, for
///   `hactl status`.
public actor EtcdRuntime: CoordinationRuntime {
    public nonisolated let localNode: String
    public nonisolated let incarnation: Incarnation
    public nonisolated let heartbeat = LoopHeartbeat()
    public nonisolated let eventLoop: any EventLoop

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        eventLoop.executor.asUnownedSerialExecutor()
    }

    /// What `haclusterd-etcd` gives the daemon (`DaemonCommand.etcdRuntime`).
    public static let factory: DaemonLaunch.EtcdRuntimeFactory = { config, localNode, effects, incarnation, eventLoop throws(RuntimeError) in
        try EtcdRuntime(config: config, localNode: localNode, effects: effects, incarnation: incarnation, eventLoop: eventLoop)
    }

    static let tickInterval: Duration = .milliseconds(100)
    static let pollInterval: Duration = .seconds(1)
    static let healthInterval: Duration = .seconds(5)

    private let config: ClusterConfig
    private let etcd: EtcdConfig
    private let keys: EtcdKeys
    private let client: EtcdClient
    private let election: EtcdElection
    private let keeper: EtcdLeaseKeeper
    private let effects: any RuntimeEffects
    private var coordinator: EtcdCoordinator

    private var running = false
    private var tasks: [Task<Void, Never>] = []
    private var granting = false
    private var lease: EtcdClient.Lease?
    private var revoked = false
    /// The revision the leader information applied last was true at (see the type's notes).
    private var leaderRevision: Int64 = 0
    private var presenceRevision: Int64 = 0
    /// What each present node wrote in its presence key (release, configuration digest).
    private var peerInfo: [String: NodeInfo] = [:]
    private var adminRevision: Int64 = 0
    private var badAdminTold = false
    private var holderRecord: EtcdHolderRecord?
    /// Where the service comes from, as the holder record said when this term read it.
    private var takeoverFrom: String?
    private var badHolderTold = false
    private var members: [EtcdConfig.Endpoint: StatusReport.Etcd.Endpoint] = [:]
    /// When the leader key was last seen vacant, and when this node campaigned: the failover
    /// timeline's first steps.
    private var vacantSeen: Instant?
    private var campaignSent: Instant?
    private var wonAt: Instant?
    /// The fence of the previous holder this term needed: when it ran, and how it ended.
    private var fenceSpan: (node: String, started: Instant, ended: Instant?, ok: Bool, detail: String)?
    private var lastEtcdError: (message: String, at: Instant)?

    private var effectChain: Task<Void, Never>?
    private var takeoverTask: Task<Void, Never>?

    /// Builds the client (nothing is sent before `start()`).
    /// - Throws: `RuntimeError.unknownLocalNode`, or `.startFailed` when the client can't be set up
    ///   (a TLS file, an endpoint).
    public init(
        config: ClusterConfig, localNode: String, effects: any RuntimeEffects, incarnation: Incarnation,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
    ) throws(RuntimeError) {
        guard config.node(named: localNode) != nil else { throw .unknownLocalNode(localNode) }
        guard let etcd = config.etcd else { throw .backendUnavailable("[etcd] is missing (validated configurations have it)") }
        let client: EtcdClient
        do {
            client = try EtcdClient(config: etcd)
        } catch {
            throw .backendUnavailable("\(error)")
        }
        self.config = config
        self.etcd = etcd
        self.localNode = localNode
        self.incarnation = incarnation
        self.eventLoop = eventLoop
        self.effects = effects
        self.keys = EtcdKeys(prefix: etcd.prefix)
        self.client = client
        self.election = EtcdElection(client: client, keys: keys, node: localNode)
        self.keeper = EtcdLeaseKeeper(client: client, ttl: etcd.leaseTTL)
        self.coordinator = EtcdCoordinator(
            node: localNode, config: config, campaignGrace: config.cluster.failureTimeout,
            retryBackoff: min(.milliseconds(500), etcd.leaseTTL / 3))
    }

    // MARK: - Lifecycle

    public func start() async throws(RuntimeError) {
        guard !running else { throw .alreadyStarted }
        running = true
        let client = self.client
        let keys = self.keys
        tasks.append(Task { await client.run() })
        record(kind: .runtimeStarted, severity: .info,
               "coordinating through etcd at \(etcd.endpoints.map(\.description).joined(separator: ", ")), prefix \(keys.prefix), lease TTL \(DurationText.format(etcd.leaseTTL)), incarnation \(incarnation)")
        perform(coordinator.start())
        tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                do {
                    try await client.watch(keys.prefix + "/", prefix: true) { [weak self] event in await self?.changed(event) }
                } catch {
                    await self?.etcdTrouble("watch of \(keys.prefix)/: \(error)")
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
        })
        tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                await self?.poll()
                try? await Task.sleep(for: Self.pollInterval)
            }
        })
        tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                await self?.checkMembers()
                try? await Task.sleep(for: Self.healthInterval)
            }
        })
        tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                guard let delay = await self?.tick() else { return }
                try? await Task.sleep(for: delay)
            }
        })
    }

    @discardableResult
    public func stop() async -> Bool {
        running = false
        for task in tasks { task.cancel() }
        tasks.removeAll()
        takeoverTask?.cancel()
        await effectChain?.value
        await keeper.stop(revoke: false)
        client.close()
        return coordinator.mayRunService
    }

    public func handoverBlocker() -> String? {
        "a reload in place is not available with the etcd backend yet: restart the daemon instead (the service moves to another node, or stops and starts here)"
    }

    public func suspendForHandover() async -> Result<RuntimeHandover, RuntimeError> {
        .failure(.handoverRejected(handoverBlocker()!))
    }

    // MARK: - Inputs from the daemon

    /// Applies `command` to the admin state in etcd: one transaction on the revision read, read
    /// again and retried (at most `adminAttempts` times) when another change came in between.
    /// `.noQuorum` when etcd can't be reached; the version is the key's new `mod_revision`.
    public func submit(_ command: AdminCommand) async -> CommandOutcome {
        guard running else { return .noQuorum }
        let config = self.config
        let outcome = await updateAdmin { [holderRecord] current in
            let holder = holderRecord.flatMap { $0.state == .released ? nil : $0.node }
            return current.applying(command, config: config, wallClock: SystemClock.wallClockSeconds(), currentHolder: holder) { _, _ in
                .membersNotRecorded  // the control handler refuses node add/remove with etcd before this
            }
        }
        if case .committed(let version) = outcome {
            record(kind: .adminChange, severity: .notice, "\(command) (etcd revision \(version))")
        }
        return outcome
    }

    /// Reads `<prefix>/admin`, transforms it and writes it back in one transaction on the revision
    /// read; read and transformed again when another change came in between (at most
    /// `adminAttempts` times). `.noQuorum` when etcd can't be reached.
    private func updateAdmin(_ transform: (AdminState) -> Result<AdminState, CommandRejection>) async -> CommandOutcome {
        let key = keys.admin
        for _ in 0..<Self.adminAttempts {
            let read: EtcdClient.KeyValue?
            do {
                read = try await client.get(key)
            } catch {
                etcdTrouble("reading \(key): \(error)")
                return .noQuorum
            }
            let current: AdminState
            do throws(StateStoreError) {
                current = try read.map { kv throws(StateStoreError) in try AdminDocument.decode(kv.value, source: key) } ?? .initial
            } catch {
                return .rejected(.adminStateUnreadable(error.description))
            }
            let next: AdminState
            switch transform(current) {
            case .failure(let rejection): return .rejected(rejection)
            case .success(let state): next = state
            }
            let written: EtcdClient.TxnResult
            do {
                written = try await client.txn([.modRevision(key, equals: read?.modRevision ?? 0)], success: [.put(key, AdminDocument.encode(next))])
            } catch {
                etcdTrouble("writing \(key): \(error)")
                return .noQuorum
            }
            guard written.succeeded else { continue }
            applyAdmin(next, revision: written.revision)
            return .committed(AdminVersion(UInt64(max(0, written.revision))))
        }
        return .noQuorum
    }

    /// Counts a failure of the service here in the admin state (`Output.recordFailure`).
    private func recordFailure(_ node: String, fatal: Bool) {
        let config = self.config
        Task { [weak self] in
            let outcome = await self?.updateAdmin { current in
                .success(current.recordingFailure(
                    of: node, at: SystemClock.wallClockSeconds(), expiry: config.service.failureExpiry, fatal: fatal,
                    threshold: config.service.migrationThreshold))
            }
            if let outcome, case .committed = outcome { return }
            await self?.etcdTrouble("the failure of the service on \(node) could not be counted in etcd (\(String(describing: outcome)))")
        }
    }

    static let adminAttempts = 5

    /// `hactl fence confirm NODE`: the coordinator waiting for NODE's fence (it failed) goes on
    /// as if it had succeeded. Refused for this node, a node whose presence key exists (it is
    /// up), while the fence runs, and on a node that does not coordinate. `hactl quorum unblock`
    /// has nothing to do with etcd (etcd's quorum decides; there is no wait for all nodes).
    public func override(_ override: OperatorOverride, uid: UInt32) -> OverrideRefusal? {
        guard running else { return .leaving(localNode) }
        switch override {
        case .unblockQuorum:
            return .notWaiting(.disabled)
        case .confirmFenced(let node):
            guard config.node(named: node) != nil else { return .unknownNode(node, known: config.nodes.map(\.name)) }
            if node == localNode { return .localNode(node) }
            if coordinator.present.contains(node) {
                return .heardRecently(node: node, ago: .zero, failureTimeout: etcd.leaseTTL)
            }
            guard coordinator.term != nil else { return .notCoordinator(node: localNode, leader: coordinator.leader?.node) }
            guard case .fencing(_, let victim) = coordinator.phase, victim == node else { return nil }
            if let span = fenceSpan, span.node == node, span.ended == nil { return .fenceInProgress(node: node) }
            record(kind: .fenceOperatorConfirmed, severity: .warning, "\(node) confirmed fenced by uid \(uid) (hactl fence confirm): taking over without its fence")
            step(.report(.fenced(node: node)))
            return nil
        }
    }

    public func report(_ report: ResourceReport) {
        guard running else { return }
        step(.report(report))
    }

    public func leave() {
        guard running else { return }
        step(.leave)
    }

    public var leaveProgress: LeaveProgress {
        if coordinator.phase == .left { return revoked ? .done : .handingOver }
        return coordinator.leaveProgress
    }

    public func recordedMembers() -> [String]? { nil }

    public func setRelayHandler(_ handler: @escaping ClusterRuntime.RelayHandler) {}

    public func relay(_ body: [UInt8], to peer: String, timeout: Duration) async -> Result<[UInt8], RelayFailure> {
        .failure(.unreachable("the etcd backend carries no requests between daemons"))
    }

    public func setSampler(_ sampler: @escaping @Sendable (RuntimeSample) -> Void) {}

    // MARK: - Views

    public func status() async -> RuntimeStatus {
        let healthy = members.values.filter(\.healthy).count
        let deadline = await keeper.deadline
        let now = SystemClock.monotonicNow()
        let remaining = coordinator.leaseValid ? deadline.map { Int64(max(0, $0.since(now).wholeMilliseconds)) } : nil
        let view = StatusReport.Etcd(
            prefix: keys.prefix,
            endpoints: etcd.endpoints.map { members[$0] ?? .init(endpoint: $0.description, healthy: false, leader: false, error: "not checked yet") },
            lease: remaining == nil ? nil : lease.map { String(UInt64(bitPattern: $0.id), radix: 16) },
            leaseTTLMilliseconds: Int64((lease?.ttl ?? etcd.leaseTTL).wholeMilliseconds),
            leaseRemainingMilliseconds: remaining)
        return RuntimeStatus(
            election: coordinator.status(config: config, holderRecord: holderRecord, healthyMembers: healthy),
            incarnation: incarnation, wire: WireCounters(), links: [], unboundLinks: [], persistence: .healthy,
            persistFailures: 0, inboundDropped: 0, sendFailures: 0, unsendable: 0,
            localInfo: localInfo, peerInfo: peerInfo.filter { $0.key != localNode && coordinator.present.contains($0.key) },
            etcd: view)
    }

    // MARK: - The loop

    /// One tick: the lease's hold, the coordinator's retries and campaigns. Returns when to tick
    /// next (nil: stopped).
    private func tick() async -> Duration? {
        guard running else { return nil }
        heartbeat.beat()
        // The keeper is asked across suspension points: a new lease granted meanwhile is not the
        // one these answers are about.
        let sampled = lease?.id
        let holds = await keeper.holds
        let deadline = await keeper.deadline
        let lost = await keeper.lost
        guard running else { return nil }
        if coordinator.leaseValid, !holds, !granting, sampled != nil, lease?.id == sampled {
            lease = nil
            step(.leaseLost(lost ?? "no keep-alive was answered before the hold ran out"))
        }
        step(.tick)
        let now = SystemClock.monotonicNow()
        if let deadline, deadline > now { return min(Self.tickInterval, max(.milliseconds(1), deadline.since(now))) }
        return Self.tickInterval
    }

    private func step(_ input: EtcdCoordinator.Input) {
        let now = SystemClock.monotonicNow()
        let before = coordinator.phase
        let outputs = coordinator.step(input, now: now, wallClock: SystemClock.wallClockSeconds())
        heartbeat.beat()
        if case .campaigning = coordinator.phase, before != .campaigning { campaignSent = now }
        perform(outputs)
    }

    private func perform(_ outputs: [EtcdCoordinator.Output]) {
        for output in outputs {
            switch output {
            case .grantLease: grant()
            case .campaign: campaign()
            case .readHolder: readHolder()
            case .recordHolder(let record): recordHolder(record)
            case .recordFailure(let node, let fatal): recordFailure(node, fatal: fatal)
            case .resign(let term): resign(term)
            case .revokeLease: revoke()
            case .service(let action): service(action)
            }
        }
    }

    // MARK: - etcd calls

    /// What this node writes in its presence key, as the built-in backend tells its peers.
    private var localInfo: NodeInfo {
        NodeInfo(software: ProductVersion.current, config: ConfigDigest(config))
    }

    private func grant() {
        guard running, !granting else { return }
        granting = true
        let keeper = self.keeper
        Task { [weak self] in
            do throws(EtcdError) {
                let lease = try await keeper.start()
                await self?.granted(lease)
            } catch {
                await self?.grantFailed(error)
            }
        }
    }

    private func granted(_ lease: EtcdClient.Lease) {
        granting = false
        guard running else { return }
        self.lease = lease
        record(kind: .etcdLeaseGranted, severity: .info, "etcd lease \(String(UInt64(bitPattern: lease.id), radix: 16)) granted, TTL \(DurationText.format(lease.ttl))")
        let client = self.client
        let presence = keys.node(localNode)
        let info = (try? localInfo.encode()) ?? []
        Task { [weak self] in
            do {
                _ = try await client.txn([], success: [.put(presence, info, lease: lease.id)])
            } catch {
                await self?.etcdTrouble("writing \(presence): \(error)")
            }
            await self?.poll()
        }
        step(.leaseGranted)
    }

    private func grantFailed(_ error: EtcdError) {
        granting = false
        guard running else { return }
        etcdTrouble("lease grant: \(error)")
        step(.etcdFailed("\(error)"))
    }

    private func campaign() {
        guard let lease else {
            step(.campaigned(.failed("no lease")))
            return
        }
        let election = self.election
        Task { [weak self] in
            do {
                let outcome = try await election.campaign(lease: lease.id)
                await self?.campaigned(outcome)
            } catch {
                await self?.etcdTrouble("campaign: \(error)")
                await self?.stepIfRunning(.campaigned(.failed("\(error)")))
            }
        }
    }

    private func campaigned(_ outcome: EtcdElection.Outcome) {
        guard running else { return }
        switch outcome {
        case .won(let term):
            leaderRevision = max(leaderRevision, term)
            wonAt = SystemClock.monotonicNow()
            step(.campaigned(.won(term: term)))
        case .held(let node, let term, _):
            leaderRevision = max(leaderRevision, term)
            step(.campaigned(.held(by: node, term: term)))
        case .vacant:
            step(.campaigned(.failed("the leader key went away during the campaign")))
        }
    }

    private func readHolder() {
        let election = self.election
        Task { [weak self] in
            do {
                let record = try await election.holder()
                await self?.holderRead(record)
            } catch {
                await self?.etcdTrouble("reading the holder record: \(error)")
                await self?.stepIfRunning(.etcdFailed("\(error)"))
            }
        }
    }

    private func holderRead(_ record: EtcdHolderRecord?) {
        holderRecord = record
        takeoverFrom = record.flatMap { $0.node == localNode ? nil : $0.node }
        stepIfRunning(.holderRead(record))
    }

    private func recordHolder(_ record: EtcdHolderRecord) {
        let election = self.election
        Task { [weak self] in
            do {
                let written = try await election.recordHolder(record)
                await self?.holderRecorded(record, written: written)
            } catch {
                await self?.etcdTrouble("recording \(record.node) \(record.state.rawValue) in term \(record.term): \(error)")
                await self?.stepIfRunning(.etcdFailed("\(error)"))
            }
        }
    }

    private func holderRecorded(_ record: EtcdHolderRecord, written: Bool) {
        if written { holderRecord = record }
        stepIfRunning(.holderRecorded(written))
    }

    private func resign(_ term: Int64) {
        let election = self.election
        Task { [weak self] in
            do {
                try await election.resign(term: term)
                await self?.stepIfRunning(.resigned)
            } catch {
                await self?.etcdTrouble("resigning term \(term): \(error)")
                await self?.stepIfRunning(.etcdFailed("\(error)"))
            }
        }
    }

    private func revoke() {
        let keeper = self.keeper
        Task { [weak self] in
            await keeper.stop(revoke: true)
            await self?.leaseRevoked()
        }
    }

    private func leaseRevoked() {
        revoked = true
        lease = nil
    }

    private func stepIfRunning(_ input: EtcdCoordinator.Input) {
        guard running else { return }
        step(input)
    }

    // MARK: - What the others do

    /// One change under the prefix, from the watch.
    private func changed(_ event: EtcdClient.WatchEvent) {
        guard running else { return }
        let nodesPrefix = keys.node("")
        switch event {
        case .put(let kv) where kv.key == keys.leader:
            applyLeader(node: String(decoding: kv.value, as: UTF8.self), term: kv.createRevision, revision: kv.modRevision)
        case .delete(let key, let revision) where key == keys.leader:
            applyLeader(node: nil, term: 0, revision: revision)
        case .put(let kv) where kv.key == keys.admin:
            decodeAdmin(kv.value, revision: kv.modRevision)
        case .delete(let key, let revision) where key == keys.admin:
            applyAdmin(.initial, revision: revision)
        case .put(let kv) where kv.key == keys.holder:
            decodeHolder(kv.value)
        case .put(let kv) where kv.key.hasPrefix(nodesPrefix):
            guard kv.modRevision >= presenceRevision else { return }
            presenceRevision = kv.modRevision
            let node = String(kv.key.dropFirst(nodesPrefix.count))
            peerInfo[node] = try? NodeInfo.decode(kv.value)
            step(.present(coordinator.present.union([node])))
        case .delete(let key, let revision) where key.hasPrefix(nodesPrefix):
            guard revision >= presenceRevision else { return }
            presenceRevision = revision
            step(.present(coordinator.present.subtracting([String(key.dropFirst(nodesPrefix.count))])))
        default:
            break
        }
    }

    private func decodeAdmin(_ value: [UInt8], revision: Int64) {
        do throws(StateStoreError) {
            let admin = try AdminDocument.decode(value, source: keys.admin)
            badAdminTold = false
            applyAdmin(admin, revision: revision)
        } catch {
            if !badAdminTold {
                badAdminTold = true
                record(kind: .etcdError, severity: .error, "\(error) (the last good admin state stays in force; fix the key or delete it to start from the defaults)")
            }
        }
    }

    private func applyAdmin(_ admin: AdminState, revision: Int64) {
        guard revision >= adminRevision else { return }
        adminRevision = revision
        step(.admin(admin))
    }

    private func decodeHolder(_ value: [UInt8]) {
        do {
            holderRecord = try EtcdHolderRecord(decoding: value)
            badHolderTold = false
        } catch {
            if !badHolderTold {
                badHolderTold = true
                record(kind: .etcdError, severity: .error, "\(keys.holder): \(error) (a coordinator will refuse to take over until it is fixed)")
            }
        }
    }

    private func applyLeader(node: String?, term: Int64, revision: Int64) {
        guard revision >= leaderRevision else { return }
        leaderRevision = revision
        if node == nil, coordinator.leader != nil { vacantSeen = SystemClock.monotonicNow() }
        step(.leader(node: node, term: term))
    }

    /// One linearizable read of the whole prefix: leader, holder record, presence.
    private func poll() async {
        guard running else { return }
        let result: (keys: [EtcdClient.KeyValue], revision: Int64)
        do {
            result = try await client.range(prefix: keys.prefix + "/")
        } catch {
            etcdTrouble("reading \(keys.prefix)/: \(error)")
            return
        }
        guard running else { return }
        let nodesPrefix = keys.node("")
        var present: Set<String> = []
        var leader: EtcdClient.KeyValue?
        var admin: EtcdClient.KeyValue?
        var infos: [String: NodeInfo] = [:]
        for key in result.keys {
            if key.key == keys.leader {
                leader = key
            } else if key.key == keys.holder {
                decodeHolder(key.value)
            } else if key.key == keys.admin {
                admin = key
            } else if key.key.hasPrefix(nodesPrefix) {
                let node = String(key.key.dropFirst(nodesPrefix.count))
                present.insert(node)
                infos[node] = try? NodeInfo.decode(key.value)
            }
        }
        if let admin {
            decodeAdmin(admin.value, revision: result.revision)
        } else {
            applyAdmin(.initial, revision: result.revision)
        }
        if result.revision >= presenceRevision {
            presenceRevision = result.revision
            peerInfo = infos
            step(.present(present))
        }
        applyLeader(node: leader.map { String(decoding: $0.value, as: UTF8.self) }, term: leader?.createRevision ?? 0, revision: result.revision)
    }

    private func checkMembers() async {
        for endpoint in etcd.endpoints {
            let view: StatusReport.Etcd.Endpoint
            do {
                let status = try await client.status(of: endpoint)
                view = .init(endpoint: endpoint.description, healthy: status.errors.isEmpty && status.leaderID != 0, leader: status.isLeader,
                             error: status.errors.isEmpty ? (status.leaderID == 0 ? "no etcd leader" : nil) : status.errors.joined(separator: "; "))
            } catch {
                view = .init(endpoint: endpoint.description, healthy: false, leader: false, error: "\(error)")
            }
            members[endpoint] = view
        }
    }

    /// An etcd call failed: logged at most once a second per message (retries are frequent).
    private func etcdTrouble(_ message: String) {
        let now = SystemClock.monotonicNow()
        if let last = lastEtcdError, last.message == message, now.since(last.at) < .seconds(1) { return }
        lastEtcdError = (message, now)
        record(kind: .etcdError, severity: .warning, message)
    }

    // MARK: - Service steps

    private func service(_ action: Action) {
        switch action {
        case .fence(let node, let delay):
            let effects = self.effects
            enqueueEffect { [weak self] in
                await self?.fenceBegins(node)
                let outcome = await effects.fence(node: node, delay: delay)
                await self?.fenceEnded(node, ok: outcome.succeeded, detail: outcome.detail)
                await self?.report(outcome.succeeded ? .fenced(node: node) : .fenceFailed(node: node, reason: outcome.detail))
            }
        case .takeover(let term, let fenceFirst):
            let effects = self.effects
            let context = TakeoverContext(previousHolder: takeoverFrom, prelude: prelude(decided: SystemClock.monotonicNow()))
            let reporter: @Sendable (ResourceReport) async -> Void = { [weak self] report in await self?.report(report) }
            takeoverTask = enqueueEffect {
                await effects.takeOver(term: term, fenceFirst: fenceFirst, context: context, report: reporter)
            }
        case .restart(let term):
            let effects = self.effects
            let reporter: @Sendable (ResourceReport) async -> Void = { [weak self] report in await self?.report(report) }
            takeoverTask = enqueueEffect { await effects.restartInPlace(term: term, report: reporter) }
        case .release(let reason):
            takeoverTask?.cancel()
            takeoverTask = nil
            let effects = self.effects
            enqueueEffect { [weak self] in
                await effects.release(reason: reason)
                await self?.report(.released)
            }
        case .event(let event):
            effects.record(event)
        default:
            break
        }
    }

    private func fenceBegins(_ node: String) {
        fenceSpan = (node, SystemClock.monotonicNow(), nil, false, "")
    }

    private func fenceEnded(_ node: String, ok: Bool, detail: String) {
        guard let span = fenceSpan, span.node == node else { return }
        fenceSpan = (node, span.started, SystemClock.monotonicNow(), ok, detail)
    }

    /// The failover timeline before the takeover: the campaign (election), reading and writing the
    /// holder record (wait), and the fence of the previous holder; the takeover's own steps (lock,
    /// ip, start, healthy) follow. It starts when this node saw the leader key vacant, or campaigned:
    /// how long the key took to expire on the server (up to the TTL after the old holder's last
    /// keep-alive) is not known here, so there is no `detect` step.
    private func prelude(decided: Instant) -> [StatusReport.Failover.Step] {
        guard let campaignSent, let wonAt, wonAt >= campaignSent, decided.since(wonAt) < .seconds(60) else { return [] }
        var steps: [StatusReport.Failover.Step] = []
        let from = vacantSeen.map { min($0, campaignSent) } ?? campaignSent
        steps.append(.init(name: "election", milliseconds: wonAt.since(from).wholeMilliseconds, ok: true, detail: "from the leader key seen vacant to the won campaign"))
        var fenced = Duration.zero
        var fenceStep: StatusReport.Failover.Step?
        if let span = fenceSpan, let ended = span.ended, span.started >= wonAt {
            fenced = ended.since(span.started)
            fenceStep = .init(name: "fence", milliseconds: fenced.wholeMilliseconds, ok: span.ok, detail: "\(span.node): \(span.detail)")
        }
        steps.append(.init(name: "wait", milliseconds: (decided.since(wonAt) - fenced).wholeMilliseconds, ok: true, detail: "holder record read and written"))
        if let fenceStep { steps.append(fenceStep) }
        return steps
    }

    @discardableResult
    private func enqueueEffect(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let previous = effectChain
        let task = Task {
            await previous?.value
            await work()
        }
        effectChain = task
        return task
    }

    private func record(kind: EventKind, severity: ClusterEvent.Severity, _ message: String) {
        effects.record(EventRecord(kind: kind, severity: severity, message: message))
    }
}
#endif
