import ClusterCore

/// A deterministic simulation of a whole cluster, VOPR style: the seed decides
/// the cluster shape, clocks, network behaviour, faults, admin commands and
/// resource timings. The checker runs after every event (safety properties
/// 1-4 of DESIGN.md); after the faults heal, a liveness phase requires the
/// service to run (property 5).
public final class Simulation {
    public let seed: UInt64
    public let options: SimulationOptions
    public let shape: ClusterShape
    public let config: ClusterConfig
    /// This seed's fault mix (swarm testing).
    public let faults: FaultProfile
    let timings: ElectionTimings

    var random: ElectionRandom
    var nodes: [SimulatedNode] = []
    var paths: [[NetworkPath]] = []
    var queue = EventQueue<SimulationEvent>()
    var now: UInt64 = 0
    var faultsActive: Bool
    var checker: SafetyChecker
    var result: SimulationResult
    var nextRequest: UInt64 = 1
    /// Admin commands in flight: request id → command.
    var outstanding: [RequestID: AdminCommand] = [:]
    var committedResets: Set<String> = []
    /// Real time of the most recent `takeover` action per node (benchmark hook).
    public private(set) var lastTakeover: [String: UInt64] = [:]
    /// The storage shape's shared disk: every node's last heartbeat that landed (the arbiter file's slots).
    var disk: [String: ArbiterHeartbeat] = [:]

    static let wallEpoch: UInt64 = 1_790_000_000

    public init(seed: UInt64, options: SimulationOptions = SimulationOptions()) {
        self.seed = seed
        self.options = options
        var random = ElectionRandom(seed: seed)
        let shape = options.shape ?? ClusterShape.random(seed: seed, using: &random)
        self.shape = shape
        self.config = shape.config()
        self.timings = ElectionTimings(config.cluster)
        self.faultsActive = options.faults
        self.checker = SafetyChecker(config: config, timings: timings)
        self.result = SimulationResult(
            seed: seed, shape: shape, faults: .uniform, violation: nil, steps: 0, events: 0, elections: 0, takeovers: 0,
            fences: 0, crashes: 0, commandsCommitted: 0, livenessRecovery: nil, trace: [])
        for nodeConfig in config.nodes {
            // Clock rates within 0.9% of real time (the core assumes at most 1%).
            let drift = (Double(random.next(upperBound: 1_801 as UInt64)) - 900) / 100_000
            let offset = random.next(upperBound: 1_000_000_000_000 as UInt64)
            nodes.append(SimulatedNode(name: nodeConfig.name, config: config, rate: 1 + drift, offset: offset))
        }
        paths = Array(repeating: Array(repeating: NetworkPath(), count: nodes.count), count: nodes.count)
        var faults = options.faultProfile ?? (options.faults ? FaultProfile.random(using: &random) : .uniform)
        if options.faultProfile == nil, options.faults, shape.usesStorage { faults = faults.withStorage(using: &random) }
        if shape.usesStorage, faults.driftApart {
            // One clock 0.9 % fast, the other 0.9 % slow: the most the simulation allows.
            let fast = Int(random.next(upperBound: 2 as UInt64))
            for (index, node) in nodes.enumerated() { node.rate = index == fast ? 1.009 : 0.991 }
        }
        self.faults = faults
        self.random = random
        result.faults = faults
        for index in nodes.indices {
            // Staggered cold start.
            queue.push(.restart(node: index), at: random.next(upperBound: 300_000_000 as UInt64))
        }
    }

    // MARK: - Running

    /// Runs the safety phase, then (if enabled) the liveness phase.
    public func run() -> SimulationResult {
        let step = UInt64(options.stepDuration.nanoseconds)
        for index in 0..<options.steps {
            if faultsActive { injectFaults() }
            if options.adminCommands, random.chance(0.012) { submitRandomCommand() }
            runEvents(until: UInt64(index + 1) * step)
            result.steps = index + 1
            if result.violation != nil { return finish() }
        }
        if options.livenessPhase { runLiveness(step: step) }
        return finish()
    }

    func finish() -> SimulationResult {
        if shape.usesStorage {
            checker.endSplit(nodes: nodes, now: now)
            result.cleanSplits = checker.splits.cleanSplits
            result.cleanSplitTime = .nanoseconds(Int64(checker.splits.cleanSplitTime))
        }
        result.trace = checker.trace
        return result
    }

    func runEvents(until end: UInt64) {
        if shape.usesStorage { watchSplit() }
        while let next = queue.nextTime, next < end, result.violation == nil {
            guard let (time, event) = queue.pop() else { break }
            now = max(now, time)
            result.events += 1
            handle(event)
            if let violation = checker.checkGlobal(nodes: nodes, now: now) {
                result.violation = violation
            }
            if shape.usesStorage { watchSplit() }
        }
        now = max(now, end)
    }

    // MARK: - Liveness phase

    func runLiveness(step: UInt64) {
        faultsActive = false
        let healedAt = now
        for index in nodes.indices {
            if !nodes[index].isUp { queue.push(.restart(node: index), at: now + 1) }
            if nodes[index].pausedUntil != nil { nodes[index].pausedUntil = now + 1; queue.push(.resume(node: index), at: now + 1) }
            for other in nodes.indices { paths[index][other] = NetworkPath() }
            nodes[index].storage = StoragePath()
            nodes[index].cutFromNetworkUntil = 0
        }
        checker.note("heal: all nodes up, network\(shape.usesStorage ? " and storage" : "") healed", at: now)
        committedResets = []
        let resets: [AdminCommand] = [.enable, .maintenance(on: false), .clear(node: nil), .cleanup(node: nil)]
            + config.serviceNodes.map { .unstandby(node: $0.name) }
        let deadline = healedAt + UInt64(options.livenessTimeout.nanoseconds)
        var nextReset = now
        var lastReset = now
        while now < deadline, result.violation == nil {
            // Until the service runs, (re)send the commands that make it placeable:
            // a command from before the heal may still commit after them.
            if now >= nextReset {
                for command in resets {
                    submit(command, to: Int(random.next(upperBound: UInt64(nodes.count))))
                }
                nextReset = now + 2_000_000_000
                lastReset = now
            }
            runEvents(until: now + step)
            if serviceRunsOnLeader() {
                result.livenessRecovery = .nanoseconds(Int64(now - healedAt))
                return
            }
        }
        if result.violation == nil {
            let state = nodes.map { "\($0.name):\($0.core.map { "\($0.role.rawValue)/t\($0.term)/\($0.service)/\($0.status.placement)" } ?? "down")" }
            result.violation = Violation(
                property: .liveness, time: now,
                detail: "service not running \(Double(options.livenessTimeout.nanoseconds) / 1e9)s after the heal (resets committed: \(committedResets.count)/\(resets.count), last reset sent at \(Double(lastReset) / 1e9)s): \(state.joined(separator: " "))")
        }
    }

    func serviceRunsOnLeader() -> Bool {
        nodes.contains { node in
            guard let core = node.core, core.role == .leader, case .holding = core.service else { return false }
            return node.holding
        }
    }

    // MARK: - Events

    func handle(_ event: SimulationEvent) {
        switch event {
        case .deliver(let from, let to, let message):
            deliver(message, from: from, to: to)
        case .tick(let index, let incarnation):
            let node = nodes[index]
            guard node.isUp, node.incarnation == incarnation, node.nextTickAt == now else { return }
            if let since = node.leavingSince, now - since > Self.leaveBound, !node.isPaused(at: now) {
                leaveTimedOut(index)
                return
            }
            if !node.isPaused(at: now) { feed(.tick, to: index) }
            guard node.isUp, node.incarnation == incarnation else { return }
            armTick(index, at: nextTickTime(of: node))
        case .fenceDone(let index, let incarnation, let epoch, let target, let fails, let term, let remaining, let decided):
            fenceDone(index: index, incarnation: incarnation, epoch: epoch, target: target, fails: fails, term: term,
                      remaining: remaining, decided: decided)
        case .takeoverDone(let index, let incarnation, let epoch, let term, let fails):
            let node = nodes[index]
            guard node.isUp, node.incarnation == incarnation, node.resourceEpoch == epoch else { return }
            node.takeoverInFlight = false
            if fails {
                node.holding = false
                checker.note("\(node.name) takeover failed (simulated)", at: now)
                feed(.report(.takeoverFailed(term: term, reason: "simulated start failure")), to: index)
            } else {
                feed(.report(.takeoverSucceeded(term: term)), to: index)
            }
        case .releaseDone(let index, let incarnation, let epoch):
            let node = nodes[index]
            guard node.isUp, node.incarnation == incarnation, node.resourceEpoch == epoch else { return }
            if node.holding, node.releaseReason == .storageLost {
                result.storageLostReleases.append(.nanoseconds(Int64(now - max(node.lastGoodCycleFed ?? node.startedAt, node.startedAt))))
            }
            node.holding = false
            node.releasing = false
            node.releaseReason = nil
            feed(.report(.released), to: index)
        case .restart(let index):
            restart(index)
        case .crash(let index, let incarnation):
            guard nodes[index].isUp, nodes[index].incarnation == incarnation, !nodes[index].isPaused(at: now) else { return }
            checker.note("\(nodes[index].name) daemon crashes after acknowledging", at: now)
            crash(index, restartAfter: randomDuration(5_000_000, 40_000_000))
        case .releasedAfterExit(let index, let epoch):
            let node = nodes[index]
            guard !node.isUp, node.resourceEpoch == epoch else { return }
            node.holding = false
            node.releasing = false
            checker.note("\(node.name) released after its daemon exited", at: now)
        case .resume(let index):
            let node = nodes[index]
            guard node.isUp, let until = node.pausedUntil, now >= until else { return }
            node.pausedUntil = nil
            node.resumedAt = now
            let inputs = node.deferred
            let waitingAcks = inputs.count(where: { if case .received(.heartbeatAck, _) = $0.0 { true } else { false } })
            if node.core?.role == .leader, waitingAcks > 0 {
                checker.note("\(node.name) resumes as leader with \(waitingAcks) acknowledgement\(waitingAcks == 1 ? "" : "s") waiting", at: now)
            } else {
                checker.note("\(node.name) resumes", at: now)
            }
            node.deferred = []
            // The process first notices the time, then drains its socket and reports.
            feed(.tick, to: index)
            for (input, _) in inputs where nodes[index].isUp { feed(input, to: index) }
        case .diskTimer(let index, let incarnation):
            diskTimer(index, incarnation: incarnation)
        case .diskWrite(let index, let incarnation, let heartbeat, let readAfter):
            diskWrite(index, incarnation: incarnation, heartbeat: heartbeat, readAfter: readAfter)
        case .diskRead(let index, let incarnation):
            diskRead(index, incarnation: incarnation)
        case .networkCutEnds(let index):
            networkCutEnds(index)
        }
    }

    func deliver(_ message: Message, from: Int, to: Int) {
        guard nodes[to].isUp else { return }
        feed(.received(message, from: nodes[from].name), to: to)
    }

    /// Ground truth of a leader's (or candidate's) lease, counted exactly as the
    /// core will: when the core processes the acknowledgement, which for a
    /// paused process is after it resumes (an acknowledgement that waited in
    /// the socket still vouches for the real time its heartbeat was sent).
    func recordLeaseGroundTruth(_ input: Input, at node: SimulatedNode, core: ElectionNode) {
        guard case .received(let message, let from) = input else { return }
        switch message {
        case .heartbeatAck(let term, let sequence, _, _):
            if core.role == .leader, core.term == term, let sent = node.heartbeatSendTimes[sequence] {
                node.recordLeaseAck(term: term, from: from, sentAt: sent)
            }
        case .voteResponse(let term, true, _):
            if core.role == .candidate, core.term == term, let sent = node.campaignSendTime[term] {
                node.recordLeaseAck(term: term, from: from, sentAt: sent)
            }
        default:
            break
        }
    }

    /// Feeds one input to a node's process (deferred while it is paused) and performs the actions.
    func feed(_ input: Input, to index: Int) {
        let node = nodes[index]
        guard var core = node.core else { return }
        if node.isPaused(at: now) {
            node.deferred.append((input, now))
            return
        }
        let before = core
        recordLeaseGroundTruth(input, at: node, core: core)
        let wall = Self.wallEpoch + now / 1_000_000_000
        let actions = core.step(input, now: node.localTime(now), wallClock: wall)
        node.core = core
        // Like the runtime: a step that brought the deadline forward re-arms the timer.
        let due = nextTickTime(of: node)
        if due < node.nextTickAt { armTick(index, at: due) }
        if case .arbiter(.succeeded) = input { node.lastGoodCycleFed = now }
        if options.trace { checker.traceStep(node: node.name, input: input, actions: actions, at: now) }
        if let violation = checker.observe(node: node, before: before, nodes: nodes, now: now, twoNode: shape.twoNode) {
            result.violation = result.violation ?? violation
        }
        // A crash may cut the action list anywhere: only what was done before survives. Only in a
        // fault mix that has crashes (the draw stays, so every seed keeps its random stream).
        var crashAt = actions.count
        if faultsActive, actions.count > 1, random.chance(0.004), faults.crash > 0 {
            crashAt = Int(random.next(upperBound: UInt64(actions.count)))
        }
        for (position, action) in actions.enumerated() {
            if position == crashAt {
                checker.note("\(node.name) crashes in the middle of its actions (\(position)/\(actions.count))", at: now)
                crash(index, restartAfter: randomDuration(50_000_000, 3_000_000_000))
                return
            }
            perform(action, by: index)
            guard nodes[index].isUp, nodes[index].incarnation == node.incarnation else { return }
        }
        if node.leavingSince != nil, let progress = node.core?.leaveProgress, progress.isDone {
            exitAfterLeave(index, clean: progress == .done)
        }
    }

    /// When the node ticks next, as the daemon's runtime decides it: at its core's deadline, at
    /// most `tickInterval` away (a paused process's timer fires late; it is ticked on resume).
    func nextTickTime(of node: SimulatedNode) -> UInt64 {
        var delay = timings.tickInterval
        if !node.isPaused(at: now), let core = node.core {
            delay = min(delay, max(.milliseconds(1), core.nextDeadline.since(node.localTime(now))))
        }
        return now + node.realDuration(delay)
    }

    func armTick(_ index: Int, at time: UInt64) {
        nodes[index].nextTickAt = time
        queue.push(.tick(node: index, incarnation: nodes[index].incarnation), at: time)
    }

    func perform(_ action: Action, by index: Int) {
        let node = nodes[index]
        switch action {
        case .persist(let state):
            node.durable = state
        case .send(let to, let message):
            guard let target = config.nodes.firstIndex(where: { $0.name == to }) else { return }
            switch message {
            case .heartbeat(let term, let sequence, _, _, _, _):
                _ = term
                node.heartbeatSendTimes[sequence] = now
            case .voteRequest(let term, _, _):
                if node.campaignSendTime[term] == nil { node.campaignSendTime[term] = now }
            default:
                break
            }
            send(message, from: index, to: target)
            if faultsActive, case .heartbeatAck = message, random.chance(faults.restartAfterAck) {
                // The daemon dies right after acknowledging and systemd restarts it
                // at once: it has forgotten that acknowledgement (lease hand-over).
                queue.push(.crash(node: index, incarnation: node.incarnation), at: now + 1)
            }
        case .takeover(let term, let fenceFirst):
            result.takeovers += 1
            lastTakeover[node.name] = now
            node.resourceEpoch += 1
            node.takeoverInFlight = true
            let targets = fenceFirst.compactMap { name in config.nodes.firstIndex { $0.name == name } }
            for target in targets { checkSplitFence(by: index, of: target) }
            startTakeover(index, term: term, fence: targets, decided: now)
        case .restart(let term):
            // Units stop and start again; lock and addresses stay (still holding meanwhile).
            node.resourceEpoch += 1
            node.takeoverInFlight = true
            startTakeover(index, term: term, fence: [], decided: now)
        case .fence(let target, let delay):
            guard let targetIndex = config.nodes.firstIndex(where: { $0.name == target }) else { return }
            checkSplitFence(by: index, of: targetIndex)
            // The shell waits the delay the core's race rule decided (on the node's own clock),
            // then runs the agent.
            queue.push(
                .fenceDone(node: index, incarnation: node.incarnation, epoch: -1, target: targetIndex,
                           fails: random.chance(0.05), term: .zero, remaining: [], decided: now),
                at: now + node.realDuration(delay) + randomDuration(100_000_000, 1_500_000_000))
        case .release(let reason):
            node.resourceEpoch += 1
            node.takeoverInFlight = false
            node.releasing = true
            node.releaseReason = reason
            let duration = node.holding ? randomDuration(20_000_000, Self.releaseMax) : 1_000_000
            queue.push(.releaseDone(node: index, incarnation: node.incarnation, epoch: node.resourceEpoch), at: now + duration)
        case .reply(let id, let outcome):
            if let command = outstanding.removeValue(forKey: id), case .committed = outcome {
                result.commandsCommitted += 1
                committedResets.insert("\(command)")
            }
        case .event(let event):
            if event.kind == .electionWon { result.elections += 1 }
            if options.trace { checker.note("\(node.name) event \(event.kind): \(event.message)", at: now) }
        }
    }

    func startTakeover(_ index: Int, term: Term, fence targets: [Int], decided: UInt64) {
        let node = nodes[index]
        if let first = targets.first {
            // A takeover's fences never wait for a race (see `Action.takeover`).
            queue.push(
                .fenceDone(node: index, incarnation: node.incarnation, epoch: node.resourceEpoch, target: first,
                           fails: random.chance(0.05), term: term, remaining: Array(targets.dropFirst()), decided: decided),
                at: now + randomDuration(100_000_000, 1_500_000_000))
        } else {
            node.holding = true
            queue.push(
                .takeoverDone(node: index, incarnation: node.incarnation, epoch: node.resourceEpoch, term: term, fails: random.chance(0.03)),
                at: now + randomDuration(50_000_000, 1_500_000_000))
        }
    }

    func fenceDone(index: Int, incarnation: Int, epoch: Int, target: Int, fails: Bool, term: Term, remaining: [Int], decided: UInt64) {
        let node = nodes[index]
        // A fencer that died (crashed, or fenced first in a race) fences nobody.
        guard node.isUp, node.incarnation == incarnation else { return }
        if fails {
            feed(.report(.fenceFailed(node: nodes[target].name, reason: "simulated agent failure")), to: index)
            if epoch >= 0, node.resourceEpoch == epoch { node.takeoverInFlight = false }
            return
        }
        result.fences += 1
        checker.note("\(node.name) fences \(nodes[target].name)", at: now)
        if let left = nodes[target].leftCleanlyAt, !shape.twoNode {
            if decided < left {
                // Decided while the target's leave was not complete (a leader that had not seen
                // it released); a fence is never abandoned half-way (FenceCoordinator), so it
                // lands after the target's clean exit. Counted, not a violation (README).
                result.fencesAfterCleanLeave += 1
                checker.note("\(node.name)'s fence of \(nodes[target].name), decided before its leave was complete, lands after its clean exit", at: now)
            } else if result.violation == nil {
                // two_node fences a lost peer whatever it said (README, known limits).
                result.violation = Violation(
                    property: .cleanLeave, time: now,
                    detail: "\(node.name) fences \(nodes[target].name), which had stopped cleanly (planned leave) before the fence was decided")
            }
        }
        if nodes[target].isUp {
            nodes[target].fencedDown = true
            crash(target, restartAfter: randomDuration(1_000_000_000, 5_000_000_000))
        } else if nodes[target].holding {
            // Down, still releasing after a timed-out leave: the power-off ends that too.
            nodes[target].holding = false
            nodes[target].releasing = false
            nodes[target].resourceEpoch += 1
        }
        feed(.report(.fenced(node: nodes[target].name)), to: index)
        guard epoch >= 0, node.isUp, node.incarnation == incarnation, node.resourceEpoch == epoch, node.takeoverInFlight else { return }
        startTakeover(index, term: term, fence: remaining, decided: decided)
    }

    // MARK: - Nodes

    func restart(_ index: Int) {
        let node = nodes[index]
        guard !node.isUp else { return }
        node.incarnation += 1
        node.fencedDown = false
        node.leavingSince = nil
        node.leftCleanlyAt = nil
        if node.holding {
            // Left by a daemon whose leave timed out: the new daemon's leftover check releases it first.
            node.holding = false
            node.releasing = false
            node.resourceEpoch += 1
        }
        node.pausedUntil = nil
        node.deferred = []
        node.core = ElectionNode(name: node.name, config: config, persisted: node.durable, seed: random.next(), mutations: options.mutations)
        node.wasLeaseClaimed = false
        node.leaseAcks = [:]
        node.leaseTerm = .zero
        node.heartbeatSendTimes = [:]
        node.startedAt = now
        node.lastTroubleAt = now
        node.lastGoodCycleFed = nil
        node.resumedAt = 0
        checker.note("\(node.name) starts (term \(node.durable.term), admin \(node.durable.admin.stamp))", at: now)
        armTick(index, at: now)
        if shape.usesStorage { startDiskTimer(index) }
        // Every simulated node runs this release: the leader records the member list.
        feed(.membersSupported(Set(config.nodes.map(\.name).filter { $0 != node.name })), to: index)
    }

    /// The machine stops: process gone, service gone (a crash is a power loss or a fence).
    func crash(_ index: Int, restartAfter delay: UInt64) {
        let node = nodes[index]
        guard node.isUp else { return }
        result.crashes += 1
        checker.note("\(node.name) goes down", at: now)
        node.holding = false
        node.processEnded()
        queue.push(.restart(node: index), at: now + delay)
    }

    // MARK: - Planned stops

    /// How long a stopping daemon waits for its leave before it falls back (the daemon:
    /// stop_timeout + a few failure timeouts; releases here take at most 1.5 s).
    static let leaveBound: UInt64 = 8_000_000_000

    /// The longest a release of the service takes here (stopping units, the lock, addresses).
    static let releaseMax: UInt64 = 1_500_000_000

    /// SIGTERM: the daemon starts its planned leave.
    func startLeave(_ index: Int) {
        let node = nodes[index]
        node.leavingSince = now
        checker.note("\(node.name) is told to stop (planned leave)", at: now)
        feed(.leave, to: index)
    }

    /// The leave is done: the daemon exits holding nothing; systemd (or the operator) starts it again later.
    func exitAfterLeave(_ index: Int, clean: Bool) {
        let node = nodes[index]
        if node.holding || node.takeoverInFlight, result.violation == nil {
            result.violation = Violation(property: .cleanLeave, time: now, detail: "\(node.name) exits after its leave while holding the service")
        }
        checker.note("\(node.name) stops \(clean ? "cleanly (leave done)" : "holding nothing (leave done, no leader to confirm it)")", at: now)
        node.processEnded()
        node.leftCleanlyAt = clean ? now : nil
        queue.push(.restart(node: index), at: now + randomDuration(50_000_000, 4_000_000_000))
    }

    /// The leave did not complete in time (no quorum, ...): the daemon stops its
    /// runtime, then releases what it may hold, and exits (today's stop).
    func leaveTimedOut(_ index: Int) {
        let node = nodes[index]
        checker.note("\(node.name) leave timed out: stops, then releases locally", at: now)
        node.processEnded()
        var restartAt = now + randomDuration(50_000_000, 4_000_000_000)
        if node.holding {
            node.releasing = true
            let releaseAt = now + randomDuration(20_000_000, 1_500_000_000)
            queue.push(.releasedAfterExit(node: index, epoch: node.resourceEpoch), at: releaseAt)
            restartAt += releaseAt - now
        }
        queue.push(.restart(node: index), at: restartAt)
    }

    // MARK: - Network

    func send(_ message: Message, from: Int, to: Int) {
        let path = paths[from][to]
        if path.blocked || random.chance(path.loss) { return }
        let copies = random.chance(path.duplication) ? 2 : 1
        for _ in 0..<copies {
            let delay = path.minDelay + random.next(upperBound: max(1, path.maxDelay - path.minDelay))
            queue.push(.deliver(from: from, to: to, message), at: now + delay)
        }
    }

    // MARK: - Faults

    func injectFaults() {
        let up = nodes.indices.filter { nodes[$0].isUp }
        if random.chance(faults.crash), let victim = up.randomElement(using: &random) {
            crash(victim, restartAfter: randomDuration(50_000_000, 4_000_000_000))
        }
        if random.chance(faults.quickRestart), let victim = up.randomElement(using: &random) {
            // The daemon dies and systemd restarts it at once: it forgets what it acknowledged.
            crash(victim, restartAfter: randomDuration(20_000_000, 300_000_000))
        }
        if random.chance(faults.pause), let victim = up.randomElement(using: &random), !nodes[victim].isPaused(at: now) {
            let duration = randomDuration(200_000_000, 3_000_000_000)
            nodes[victim].pausedUntil = now + duration
            nodes[victim].lastTroubleAt = now
            checker.note("\(nodes[victim].name) pauses for \(Double(duration) / 1e9)s", at: now)
            queue.push(.resume(node: victim), at: now + duration)
        }
        if random.chance(faults.networkChange) {
            let kinds = faults.networkFaults
            changeNetwork(kinds[Int(random.next(upperBound: UInt64(kinds.count)))])
        }
        if random.chance(faults.serviceFailure), let victim = up.first(where: { nodes[$0].holding && !nodes[$0].releasing && !nodes[$0].takeoverInFlight }) {
            checker.note("\(nodes[victim].name) service fails", at: now)
            feed(.report(.serviceFailed(reason: "simulated unit failure")), to: victim)
        }
        if random.chance(faults.leave) {
            // Half of the planned stops hit the leader (the interesting case: a handover).
            let candidates = up.filter { nodes[$0].isUp && nodes[$0].leavingSince == nil }
            let leader = candidates.first { nodes[$0].core?.role == .leader }
            if let victim = random.chance(0.5) ? leader ?? candidates.randomElement(using: &random) : candidates.randomElement(using: &random) {
                startLeave(victim)
            }
        }
        if shape.usesStorage, random.chance(faults.storageChange) {
            let kinds = faults.storageFaults
            startStorageEpisode(kinds[Int(random.next(upperBound: UInt64(kinds.count)))], on: Int(random.next(upperBound: UInt64(nodes.count))))
        }
    }

    func changeNetwork(_ kind: NetworkFault) {
        let count = nodes.count
        switch kind {
        case .heal:
            for a in 0..<count { for b in 0..<count { paths[a][b] = NetworkPath() } }
            checker.note("network heals", at: now)
        case .partition:
            let side = (0..<count).map { _ in random.chance(0.5) }
            for a in 0..<count { for b in 0..<count { paths[a][b].blocked = side[a] != side[b] } }
            checker.note("partition \(side.enumerated().filter { $0.element }.map { nodes[$0.offset].name }) | rest", at: now)
        case .asymmetric:
            for _ in 0..<(1 + random.next(upperBound: UInt64(count))) {
                let a = Int(random.next(upperBound: UInt64(count)))
                let b = Int(random.next(upperBound: UInt64(count)))
                paths[a][b].blocked = true
            }
            checker.note("asymmetric partition", at: now)
        case .isolate:
            let victim = Int(random.next(upperBound: UInt64(count)))
            for other in 0..<count where other != victim {
                paths[victim][other].blocked = true
                paths[other][victim].blocked = true
            }
            checker.note("isolate \(nodes[victim].name)", at: now)
        case .deafToLeader:
            guard let leader = nodes.indices.first(where: { nodes[$0].core?.role == .leader }) else { return }
            let others = nodes.indices.filter { $0 != leader }
            let victim = others[Int(random.next(upperBound: UInt64(others.count)))]
            paths[leader][victim].blocked = true
            checker.note("\(nodes[victim].name) stops hearing the leader \(nodes[leader].name)", at: now)
        case .lossyPath:
            let a = Int(random.next(upperBound: UInt64(count)))
            let b = Int(random.next(upperBound: UInt64(count)))
            paths[a][b].loss = Double(random.next(upperBound: 40 as UInt64)) / 100
            paths[a][b].duplication = Double(random.next(upperBound: 20 as UInt64)) / 100
            paths[a][b].maxDelay = paths[a][b].minDelay + randomDuration(1_000_000, 400_000_000)
        case .lossy:
            let loss = Double(random.next(upperBound: 15 as UInt64)) / 100
            for a in 0..<count { for b in 0..<count { paths[a][b].loss = loss } }
        }
    }

    // MARK: - Admin commands

    func submitRandomCommand() {
        let fullNodes = config.serviceNodes.map(\.name)
        let anyNode = config.nodes.map(\.name)
        let lifetime: Duration? = random.chance(0.7) ? .seconds(Int64(1 + random.next(upperBound: 8 as UInt64))) : nil
        let command: AdminCommand
        switch random.next(upperBound: 12 as UInt64) {
        case 0: command = random.chance(0.3) ? .disable : .enable
        case 1: command = .move(node: random.chance(0.5) ? fullNodes.randomElement(using: &random) : nil, lifetime: lifetime)
        case 2: command = .ban(node: anyNode.randomElement(using: &random)!, lifetime: lifetime)
        case 3, 4: command = .clear(node: random.chance(0.5) ? nil : anyNode.randomElement(using: &random))
        case 5: command = .standby(node: fullNodes.randomElement(using: &random)!)
        case 6, 7: command = .unstandby(node: fullNodes.randomElement(using: &random)!)
        case 8: command = .maintenance(on: random.chance(0.2))
        case 9: command = .cleanup(node: nil)
        default: command = .enable
        }
        submit(command, to: Int(random.next(upperBound: UInt64(nodes.count))))
    }

    func submit(_ command: AdminCommand, to index: Int) {
        let id = RequestID(nextRequest)
        nextRequest += 1
        outstanding[id] = command
        checker.note("admin \(command) → \(nodes[index].name)", at: now)
        feed(.command(id, command), to: index)
    }

    func randomDuration(_ low: UInt64, _ high: UInt64) -> UInt64 {
        low + random.next(upperBound: high - low)
    }
}

extension ElectionRandom {
    mutating func chance(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        return Double(next() >> 11) / Double(1 << 53) < probability
    }
}

extension SimulatedNode {
    func recordLeaseAck(term: Term, from: String, sentAt: UInt64) {
        if leaseTerm != term {
            leaseTerm = term
            leaseAcks = [:]
        }
        leaseAcks[from] = max(leaseAcks[from] ?? 0, sentAt)
    }
}
