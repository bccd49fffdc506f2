import ClusterHost
import ClusterCore
import Fencing
import Glibc
import Logging
import NIOCore
import Synchronization

/// One run of the daemon on this node, from start-up to orderly shutdown.
///
/// Start: state directory, signal handlers, the components (fence coordinator,
/// takeover sequence over sd-bus / flock / iproute2, the cluster runtime on the
/// daemon's event loop), the control socket, the runtime's UDP links, the
/// background tasks (status, service failures, fence device monitor, hardware
/// watchdog), the systemd watchdog pings on the loop, then `READY=1`.
///
/// Stop (SIGTERM/SIGINT) is a planned handover: `STOPPING=1`, then the runtime keeps
/// running while the core leaves (`Input.leave`): an active node releases the service
/// (units, floating IPs, lock), takes itself off the record of possible holders and
/// hands leadership to a peer, which takes over without fencing; a passive node tells
/// the leader it runs nothing. Bounded by the units' `stop_timeout`s + 5 × `failure_timeout` (or cut
/// short by a second stop signal): then, as before, the runtime stops (no more votes or
/// heartbeats) and anything of the service that may still run here is released (a stop
/// that fails self-fences). Then the control socket closes and is removed, the watchdog
/// device is closed with the magic `V`. SIGUSR1/SIGUSR2 are logged and ignored, SIGPIPE ignored.
struct Daemon {
    let config: ClusterConfig
    let node: NodeConfig
    let logger: Logger
    let notifier: SystemdNotifier
    let hooks: TestHooks
    let environment: [String: String]
    /// The etcd backend's runtime (haclusterd-etcd only).
    var etcdRuntime: DaemonLaunch.EtcdRuntimeFactory? = nil

    func run() async throws(DaemonError) {
        try makeStateDirectory()
        let signals = SignalWaiter()
        let loop = DaemonLoop()
        let builder = StatusReportBuilder(config: config, localNode: node.name)
        let tracker = StatusTracker(builder: builder, notifier: notifier, logger: logger)
        let alerts = AlertDispatcher(alerts: config.alerts, cluster: config.cluster.name, logger: logger, term: { tracker.snapshot.term })
        let metrics = config.metrics.map { _ in ClusterMetrics() }
        var observers: [@Sendable (ClusterEvent) -> Void] = []
        if !alerts.isEmpty { observers.append { alerts.enqueue($0) } }
        if let metrics { observers.append { metrics.observe($0) } }
        let events = EventHub(localNode: node.name, logger: logger, observers: observers)

        // MARK: components
        let key: ClusterKey
        do { key = try ClusterKey.load(path: config.cluster.keyFile) } catch {
            throw .configuration(message: "\(config.sourcePath ?? "configuration"): cluster.key_file: \(error)")
        }
        // A re-execution in place (reload): go on from what the previous image handed over.
        var handover = takeHandover()
        let incarnation: Incarnation
        do {
            incarnation = try handover.map { Incarnation($0.runtime.wire.incarnation) }
                ?? IncarnationFile(directory: config.cluster.stateDir).advance()
        } catch {
            throw .startup(component: "state directory", reason: "\(error)")
        }
        let storageFence = config.usesStorageTieBreaker
            ? PoisonPillFence(config: config, key: ArbiterKey(clusterKey: key, clusterName: config.cluster.name), localNode: node.name)
            : nil
        // One metadata cache for the fencer and the device monitor: the monitor's first check, at
        // start, runs each agent's `metadata`, so a takeover's fence does not (the new holder may
        // be a node that just booted).
        let agentMetadata = AgentMetadataCache(runner: FenceAgentRunner(agentDirectory: config.fencing.agentDir))
        let fencer = FenceCoordinator(config: config, localNode: node.name, metadataCache: agentMetadata,
                                      events: { events.publish($0) }, storageFence: storageFence)
        let selfFence = makeSelfFence()
        let unitManager = UnitManager(bus: SystemdBus(config.service.systemdBus))
        let addresses = FloatingAddress(onAnnouncementFailure: { [logger] in
            logger.warning("floating IP announcement failed: \($0)")
        })
        let lock = SharedStorageLock(config.storage)
        let health = try makeHealthProbe()
        let sequence = makeTakeoverSequence(
            units: unitManager, addresses: addresses, lock: lock, health: health, selfFence: selfFence, events: events)
        let effects = ServiceEffects(localNode: node.name, sequence: sequence, fencer: fencer, events: events, logger: logger)
        let runtime: any CoordinationRuntime
        if config.cluster.backend == .etcd {
            runtime = try makeEtcdRuntime(effects: effects, incarnation: incarnation, eventLoop: loop.eventLoop, handover: &handover)
        } else {
            var built: ClusterRuntime
            /// A runtime as after a crash (new incarnation), when what a previous image handed
            /// over cannot be carried on; whatever runs here is released before joining.
            func startAfresh() throws(DaemonError) -> ClusterRuntime {
                do {
                    return try ClusterRuntime(
                        config: config, localNode: node.name, key: key,
                        store: FileStateStore(directory: config.cluster.stateDir), effects: effects,
                        incarnation: try IncarnationFile(directory: config.cluster.stateDir).advance(),
                        seed: UInt64.random(in: .min ... .max), eventLoop: loop.eventLoop)
                } catch {
                    throw .startup(component: "cluster runtime", reason: "\(error)")
                }
            }
            do {
                built = try ClusterRuntime(
                    config: config, localNode: node.name, key: key,
                    store: FileStateStore(directory: config.cluster.stateDir), effects: effects,
                    incarnation: incarnation, seed: UInt64.random(in: .min ... .max), eventLoop: loop.eventLoop,
                    restoring: handover?.runtime)
            } catch {
                guard case .handoverRejected = error, handover != nil else {
                    throw .startup(component: "cluster runtime", reason: "\(error)")
                }
                // Start as after a crash: a new incarnation, and whatever runs here released first.
                logger.error("\(error); starting afresh (what the previous image held is released first)")
                handover = nil
                built = try startAfresh()
            }
            if let carried = handover {
                do {
                    try await adoptHeld(carried, lock: lock, sequence: sequence, events: events)
                } catch {
                    logger.error("cannot go on holding the storage lock: \(error); starting afresh (releasing what runs here)")
                    handover = nil
                    built = try startAfresh()
                }
            }
            runtime = built
        }
        let restored = handover
        let monitor: FenceMonitor? = config.fencing.enabled && !config.fencing.devices.isEmpty
            ? FenceMonitor(
                fencing: config.fencing, metadataCache: agentMetadata, interval: config.fencing.monitorInterval,
                events: { events.publish($0) }, storageFence: storageFence)
            : nil

        let localName = node.name
        let storagePath = config.storage.path
        await runtime.setRelayHandler { body, peer in
            await StorageProbeRelay.answer(body, from: peer, localNode: localName, storagePath: storagePath)
        }
        let auditor = UnitAuditor(config: config, units: unitManager, events: events)
        // The disk heartbeat decides the built-in backend's 2-node splits (no tie-breaker with etcd).
        let builtin = runtime as? ClusterRuntime
        let arbiter = config.usesStorageTieBreaker && builtin != nil
            ? ArbiterMonitor(config: config, key: key, localNode: node.name, incarnation: runtime.incarnation, runtime: builtin!, logger: logger) {
                [logger] pill in
                // Read from this node's own mailbox, for this very run: fence now, as a fence agent would.
                let reason = "poison pill from \(pill.from) in \(config.storage.arbiterFile) (storage fence device)"
                events.publish(EventRecord(kind: .arbiterPoisonRead, severity: .error, message: "\(reason): fencing this node"))
                logger.critical("\(reason): fencing this node")
                await selfFence.fenceSelf(reason: reason)
            }
            : nil
        let report: @Sendable () async -> StatusReport = { [builder] in
            let status = await runtime.status()
            let devices = await monitor?.health() ?? []
            return builder.report(status, .init(
                wallClock: SystemClock.wallClockSeconds(), fenceDevices: devices,
                lastFailover: effects.lastFailover.withLock { $0 },
                serviceSince: tracker.snapshot.serviceSince,
                health: await sequence.healthView,
                warnings: auditor.warnings,
                arbiterFile: arbiter?.view))
        }
        let reloader = Reloader(
            configPath: config.sourcePath ?? ConfigLoader.defaultPath, arguments: CommandLine.arguments, config: config,
            key: key, runtime: runtime, sequence: sequence, lock: lock, events: events, notifier: notifier, logger: logger)
        var handler = DaemonControlHandler(
            config: config, localNode: node.name, runtime: runtime, fencer: fencer, events: events, logger: logger,
            report: report)
        handler.metrics = metrics
        if let metrics { await runtime.setSampler { metrics.observe($0) } }
        handler.reload = {
            switch await reloader.reload(trigger: "hactl reload") {
            case let .success(accepted): .result(.reloading(accepted))
            case let .failure(refusal): .error(.rejected(reason: refusal.description))
            }
        }

        // A watchdog that is no device resets nothing: refuse it rather than trust it.
        if let watchdog = config.fencing.watchdog, let problem = WatchdogPetter.deviceProblem(path: watchdog, allowDouble: hooks.watchdogDouble) {
            await loop.shutdown()
            throw .configuration(message: "\(config.sourcePath ?? "configuration"): fencing.watchdog: \(problem)")
        }
        // MARK: sockets
        if let readGroup = config.cluster.controlReadGroup, ControlAuthorization.groupID(named: readGroup) == nil {
            await loop.shutdown()
            throw .configuration(message: "\(config.sourcePath ?? "configuration"): cluster.control_read_group: no group named '\(readGroup)' on this node (groupadd --system \(readGroup))")
        }
        // Whoever may write the socket's directory could put another socket in its place.
        let socketDirectory = config.cluster.controlSocket.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if let problem = FileTrust.directoryProblem(path: socketDirectory) {
            await loop.shutdown()
            throw .configuration(message: "\(config.sourcePath ?? "configuration"): cluster.control_socket: \(problem)")
        }
        let control: ControlServer
        do {
            control = try await ControlServer.bind(
                path: config.cluster.controlSocket, handler: handler,
                authorization: ControlAuthorization(readGroup: config.cluster.controlReadGroup), group: loop.group, logger: logger)
        } catch {
            await loop.shutdown()
            throw .controlSocket(path: config.cluster.controlSocket, reason: "\(error)")
        }
        logger.info("control socket open", metadata: ["socket": "\(control.path)"])
        let metricsEndpoint: MetricsEndpoint?
        if let metrics, let listen = config.metrics {
            do {
                metricsEndpoint = try await MetricsEndpoint.start(listen, group: loop.group) {
                    metrics.update(from: await report())
                    // Each managed unit as systemd has it now (one bus call each, on this node).
                    var states: [String: String] = [:]
                    for unit in config.service.units {
                        states[unit] = (try? await unitManager.status(of: unit))?.activeState ?? "unknown"
                    }
                    metrics.update(units: states)
                    return metrics.render()
                }
                logger.info("metrics endpoint open", metadata: ["listen": "http://\(listen.endpoint)/metrics"])
            } catch {
                control.close()
                await loop.shutdown()
                throw .configuration(message: "\(config.sourcePath ?? "configuration"): metrics.listen: cannot listen on \(listen.endpoint): \(error)")
            }
        } else {
            metricsEndpoint = nil
        }
        // MARK: what a previous run left
        // After the control socket: it proves no other haclusterd runs here, whose
        // service this check would otherwise stop. A re-execution in place left nothing:
        // it goes on holding what it holds.
        if node.role == .full, handover == nil {
            let check = LeftoverCheck(
                units: config.service.units, floatingIPs: config.floatingIPs, unitControl: unitManager, addresses: addresses)
            let found: [String]
            do {
                found = try await check.leftovers()
            } catch {
                control.close()
                metricsEndpoint?.close()
                await loop.shutdown()
                throw error
            }
            if !found.isEmpty {
                logger.warning("a previous run left the service here; releasing it before joining the cluster",
                               metadata: ["leftovers": "\(found.joined(separator: "; "))"])
                let outcome = await sequence.release(reason: "left over by a previous run of haclusterd")
                logger.notice("leftovers released", metadata: ["outcome": "\(outcome)"])
            }
        }

        do {
            try await runtime.start()
        } catch {
            control.close()
            metricsEndpoint?.close()
            await loop.shutdown()
            throw .startup(component: "cluster runtime", reason: "\(error)")
        }

        // MARK: background work
        let stopping = ShutdownState()
        let adoption = MaintenanceAdoption()
        let controlTask = Task { try? await control.run() }
        let refresh = StatusRefresh(events: events.follow(), interval: .seconds(1))
        let statusTask = Task { [tracker, logger] in
            var maintenance: Bool?
            for await _ in refresh.reads {
                let status = await runtime.status()
                // `maintenance off` on the holder: adopt what is there (start stopped units, bounce nothing).
                let inMaintenance = status.election.admin.maintenance
                if inMaintenance { adoption.maintenanceOn() }
                if maintenance == true, !inMaintenance {
                    if case .holding = status.election.service {
                        Task {
                            let started = await sequence.adopt()
                            adoption.adopted()
                            logger.notice("maintenance off: service adopted", metadata: [
                                "started": "\(started.isEmpty ? "nothing (all units running)" : started.joined(separator: ", "))",
                            ])
                        }
                    } else {
                        adoption.adopted()
                    }
                }
                maintenance = inMaintenance
                tracker.update(status, wallClock: SystemClock.wallClockSeconds())
            }
        }
        let auditTask = Task { await auditor.run() }
        let arbiterTask = arbiter.map { arbiter in Task { await arbiter.run() } }
        let failureTask = Task {
            for await failure in sequence.failures {
                // Seen by the monitor of the maintenance window, reaching us after it ended but
                // before the adoption restarted the monitor: not a failure of the adopted service.
                if adoption.isPending, await !runtime.status().election.admin.maintenance {
                    logger.notice("not counting a failure seen during maintenance (the service is being adopted): \(failure)")
                    continue
                }
                if case .lockLost = failure {
                    await runtime.report(.lockLost(reason: failure.description))
                } else {
                    await runtime.report(.serviceFailed(reason: failure.description))
                }
            }
        }
        let monitorTask = monitor.map { monitor in Task { await monitor.run() } }
        let petter = try await startHardwareWatchdog(runtime: runtime, tracker: tracker, stopping: stopping)
        let petterTask = petter.map { petter in
            Task { [logger] in
                do { try await petter.run() } catch {
                    logger.critical("watchdog device: \(error); the kernel will reset this node")
                }
            }
        }
        // The systemd watchdog: pinged from the loop while the runtime's loop beats
        // (and, once stopping, while the release is in progress on a live loop).
        let pingWithin = max((notifier.watchdogTimeout ?? .seconds(10)) / 2, .seconds(1))
        let pings = loop.startWatchdogPings(notifier, logger: logger) {
            stopping.isStopping || runtime.heartbeat.isAlive(within: pingWithin)
        }

        // MARK: scheduling (the unit asks for it; see RealtimeScheduling)
        if let text = environment[RealtimeScheduling.variable] {
            switch RealtimeScheduling.priority(from: text) {
            case let .failure(error):
                logger.warning("\(error); the event loop runs at the normal policy")
            case let .success(priority):
                let refusal = try? await loop.eventLoop.submit { RealtimeScheduling.applyToCurrentThread(priority: priority) }.get()
                if let refusal {
                    logger.warning("cannot run the event loop at SCHED_RR \(priority): \(refusal) (real-time scheduling is not permitted here: CAP_SYS_NICE, or a cgroup without a real-time budget); it runs at the normal policy")
                } else {
                    logger.notice("event loop runs at SCHED_RR priority \(priority)")
                }
            }
        }

        // MARK: ready
        if let delay = hooks.readyDelay {
            logger.notice("test hook \(TestHooks.readyDelayVariable): delaying READY by \(delay)")
            try? await Task.sleep(for: delay)
        }
        tracker.update(await runtime.status(), wallClock: SystemClock.wallClockSeconds())
        let status = tracker.snapshot.status
        // READY is sent from the loop itself: it proves the loop runs.
        let ready = loop.eventLoop.submit { [logger, notifier, node, config] in
            logger.notice("ready", metadata: [
                "status": "\(status.text)", "role": "\(node.role)", "nodes": "\(config.nodes.count)",
                "incarnation": "\(incarnation)",
            ])
            notifier.ready(status: status.text)
        }
        _ = try? await ready.get()
        if let carried = handover {
            let silent = SystemClock.monotonicNow().since(Instant(nanoseconds: carried.runtime.suspendedAt))
            logger.notice("reloaded in place", metadata: [
                "binary": "\(carried.binary)", "trigger": "\(carried.trigger)", "term": "\(carried.runtime.election.term)",
                "role": "\(carried.runtime.election.role)", "silent_ms": "\(silent.wholeMilliseconds)",
            ])
            events.publish(EventRecord(
                kind: .reloadDone, severity: .notice,
                message: "re-executed \(carried.binary) in place (\(carried.trigger)); term \(carried.runtime.election.term), \(carried.runtime.election.role); silent for \(silent.wholeMilliseconds) ms",
                durationMilliseconds: silent.wholeMilliseconds))
        }
        if let hang = hooks.hangEventLoopAfter {
            loop.hangForever(after: hang, logger: logger)
        }
        // Just before a re-execution: what the next image opens again must be closed here.
        await reloader.setPrepare { [logger] in
            logger.notice("closing the control socket and the watchdogs for the re-execution")
            stopping.begin()
            refresh.stop()
            statusTask.cancel()
            auditTask.cancel()
            arbiterTask?.cancel()
            control.close()
            metricsEndpoint?.close()
            petterTask?.cancel()
            await petter?.close()
            pings?.cancel()
        }

        // MARK: stop
        var received = SIGTERM
        waiting: while true {
            switch await signals.next() {
            case let .stop(number):
                received = number
                break waiting
            case .reload:
                // systemctl reload runs `hactl reload`; a SIGHUP by hand does the same and can only log a refusal.
                logger.notice("received SIGHUP; reloading")
                if case .success = await reloader.reload(trigger: "SIGHUP") {
                    // The re-execution follows; nothing else to do in this image.
                    while true { try? await Task.sleep(for: .seconds(3600)) }
                }
            case let .ignored(number):
                logger.notice("received \(SignalWaiter.name(of: number)); ignored")
            }
        }
        logger.notice("received \(SignalWaiter.name(of: received)); handing over, then shutting down")
        notifier.stopping(status: DaemonStatus(role: .stopping).text)
        let lateSignals = Task { [logger] in
            while !Task.isCancelled {
                switch await signals.next() {
                case let .stop(number):
                    guard !Task.isCancelled else { return }
                    logger.warning("received \(SignalWaiter.name(of: number)) again; not waiting for the handover any more")
                case .reload:
                    logger.notice("received SIGHUP while stopping; not reloading")
                case let .ignored(number):
                    logger.notice("received \(SignalWaiter.name(of: number)); ignored")
                }
            }
        }
        // The runtime (and so the watchdogs' normal rules) keeps running during the handover.
        let handedOver = await handOver(runtime: runtime, signals: signals)
        lateSignals.cancel()
        stopping.begin()
        refresh.stop()
        statusTask.cancel()
        auditTask.cancel()
        let mayHold = await runtime.stop()
        if mayHold {
            logger.notice(handedOver ? "releasing the service before exiting" : "releasing the service here before exiting")
            let outcome = await sequence.release(reason: "haclusterd is stopping")
            logger.notice("service released", metadata: ["outcome": "\(outcome)"])
        }
        stopping.released()
        failureTask.cancel()
        monitorTask?.cancel()
        arbiterTask?.cancel()
        events.finishAll()
        control.close()
        metricsEndpoint?.close()
        _ = await controlTask.value
        petterTask?.cancel()
        await petter?.close()
        pings?.cancel()
        await loop.shutdown()
        logger.notice("stopped")
    }

    /// The hand-over of a previous image of this daemon (re-execution in place), if any. An
    /// unreadable one is logged, its lock descriptor closed (the lock is dropped) and the start
    /// goes on as after a crash: whatever runs here is released before joining.
    private func takeHandover() -> DaemonHandover? {
        guard let taken = DaemonHandover.take(environment: environment) else { return nil }
        switch taken.handover {
        case let .success(handover):
            return handover
        case let .failure(error):
            logger.error("re-executed, but \(error); starting afresh (what the previous image held is released first)")
            if let fd = taken.lockDescriptor { close(fd) }
            return nil
        }
    }

    /// Goes on holding what the previous image held: the lock's descriptor, the addresses and
    /// units (nothing is touched), and keeps its recent events.
    private func adoptHeld(
        _ handover: DaemonHandover, lock: SharedStorageLock, sequence: TakeoverSequence, events: EventHub
    ) async throws {
        events.adopt(handover.events)
        if handover.takeover.holdsLock {
            guard let fd = DaemonHandover.lockDescriptor(environment: environment) else {
                throw HandoverError.malformed("the lock was held but no descriptor was handed over")
            }
            try await lock.adopt(descriptor: fd)
        }
        await sequence.resume(handover.takeover)
    }

    /// SIGTERM's planned handover (SPEC, "Stop is a handover"): waits until the core's leave
    /// is done, logging its progress. False when it did not complete within
    /// the units' `stop_timeout`s + 5 × `failure_timeout` (no quorum, a peer that does not answer) or a
    /// second stop signal came: the caller then releases locally, as a crash-safe stop.
    private func handOver(runtime: any CoordinationRuntime, signals: SignalWaiter) async -> Bool {
        let bound = config.service.totalStopTimeout + config.cluster.failureTimeout * 5
        let began = ContinuousClock.now
        await runtime.leave()
        var last = LeaveProgress.notLeaving
        var lastLog = began
        while true {
            let progress = await runtime.leaveProgress
            let elapsed = ContinuousClock.now - began
            if progress.isDone {
                logger.notice(progress == .done ? "handover complete" : "nothing to hand over: no leader heard; holding nothing", metadata: [
                    "took": "\(elapsed.wholeMilliseconds)ms",
                ])
                return true
            }
            if signals.stopsReceived > 1 { return false }
            if elapsed >= bound {
                logger.warning("handover not complete after \(bound) (\(progress)); stopping and releasing here instead")
                return false
            }
            if progress != last || ContinuousClock.now - lastLog >= .seconds(5) {
                logger.notice("handing over: \(Self.describe(progress))", metadata: ["elapsed": "\(elapsed.wholeMilliseconds)ms"])
                last = progress
                lastLog = ContinuousClock.now
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private static func describe(_ progress: LeaveProgress) -> String {
        switch progress {
        case .notLeaving: "starting"
        case .releasing: "releasing the service here (units, floating IPs, lock)"
        case .recording: "waiting for a quorum to record that this node holds nothing"
        case .handingOver: "handing leadership to a peer"
        case .tellingLeader: "telling the leader this node runs nothing"
        case .done, .doneWithoutLeader: "done"
        }
    }

    /// The `health_url` check, if any (the URL was validated with the configuration; the CA
    /// file is read here: unreadable, it stops the start with an error naming it).
    private func makeHealthProbe() throws(DaemonError) -> (any HealthChecking)? {
        let service = config.service
        guard let url = service.healthURL else { return nil }
        do {
            return try HealthProbe(parsing: url, timeout: service.healthTimeout, caFile: service.healthCAFile, verify: service.healthTLSVerify)
        } catch {
            throw .configuration(message: "\(config.sourcePath ?? "configuration"): service.health_url: \(error)")
        }
    }

    /// How this node fences itself: reboot through sysrq, or a test hook's stand-in.
    private func makeSelfFence() -> any SelfFencing {
        let logger = self.logger
        switch hooks.selfFence {
        case let .command(command):
            return TestSelfFence(command: command, logger: logger)
        case let .redirected(trigger, systemctl):
            return SelfFence(
                method: .sysrq, action: config.fencing.action, fallbackAfter: .seconds(1),
                triggerPath: trigger, systemctlProgram: systemctl) { logger.critical("\($0)") }
        case nil:
            return SelfFence(method: .sysrq, action: config.fencing.action) { logger.critical("\($0)") }
        }
    }

    private func makeTakeoverSequence(
        units: UnitManager, addresses: FloatingAddress, lock: SharedStorageLock, health: (any HealthChecking)?,
        selfFence: any SelfFencing, events: EventHub
    ) -> TakeoverSequence {
        // The URL was validated with the configuration (ConfigLoader.healthURLProblem).
        return TakeoverSequence(
            node: node.name, service: config.service, floatingIPs: config.floatingIPs,
            units: units, lock: lock, addresses: addresses,
            health: health, selfFence: selfFence,
            healthRise: config.service.healthRise, healthFall: config.service.healthFall,
            record: { events.publish($0) })
    }

    /// Opens `[fencing] watchdog` when configured. It is petted only while the runtime's
    /// loop beats and this node either holds nothing or holds the service within its lease.
    private func startHardwareWatchdog(
        runtime: any CoordinationRuntime, tracker: StatusTracker, stopping: ShutdownState
    ) async throws(DaemonError) -> WatchdogPetter? {
        guard let path = config.fencing.watchdog else { return nil }
        let timeout = config.fencing.watchdogTimeout
        let rule = WatchdogHealth(maxTickAge: timeout / 2)
        let leaseAfterStop = config.cluster.failureTimeout
        let petter = WatchdogPetter(path: path, timeout: timeout) {
            // After the runtime stopped, the lease it held runs out within failure_timeout:
            // until then the release may proceed; a release still running after that stops petting.
            if let since = stopping.stoppedSince {
                if stopping.isReleased { return true }
                return ContinuousClock.now - since <= leaseAfterStop
            }
            let age = runtime.heartbeat.lastIteration.map { ContinuousClock.now - $0 } ?? .seconds(3600)
            return rule.isHealthy(sinceLastTick: age, holding: tracker.snapshot.holding)
        }
        do {
            try await petter.open()
        } catch {
            throw .startup(component: "watchdog device", reason: "\(error)")
        }
        logger.notice("watchdog device armed", metadata: ["device": "\(path)", "timeout": "\(timeout)"])
        return petter
    }

    private func makeStateDirectory() throws(DaemonError) {
        var prefix = ""
        for component in config.cluster.stateDir.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .directory(path: prefix, purpose: "state directory", errno: errno)
            }
        }
        // The state decides votes and terms: only root may change it.
        if let problem = FileTrust.directoryProblem(path: config.cluster.stateDir) {
            throw .configuration(message: "\(config.sourcePath ?? "configuration"): cluster.state_dir: \(problem)")
        }
    }
}

/// Where an orderly shutdown is: readable from the watchdogs' threads.
final class ShutdownState: Sendable {
    private let state = Mutex<(since: ContinuousClock.Instant?, released: Bool)>((nil, false))

    func begin() { state.withLock { $0.since = .now } }
    func released() { state.withLock { $0.released = true } }
    var isStopping: Bool { state.withLock { $0.since != nil } }
    var stoppedSince: ContinuousClock.Instant? { state.withLock { $0.since } }
    var isReleased: Bool { state.withLock { $0.released } }
}
