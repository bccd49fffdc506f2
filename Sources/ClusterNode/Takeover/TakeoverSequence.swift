import ClusterCore
import ClusterHost

/// Takes the service over and gives it up, in the order that keeps two nodes from ever
/// holding it at once (DESIGN.md, "Takeover and release"):
///
///     takeover: fence the previous active node → flock → floating IP(s) + announcements
///               → start unit(s) in order → first healthy verdict → monitor
///     release:  stop unit(s) in reverse → remove IP(s) → unlock
///
/// A failed takeover step undoes what was done, in reverse, and reports the step. A failed
/// fence touches nothing (`blocked`). A stop that fails or times out — on release, restart
/// or undo — escalates to self-fencing: the node must never keep a service it gave up.
/// Each step's duration is recorded as an event (`takeover.*`, `release.*`).
///
/// Operations are serialized: a `release` called during a `takeOver` waits for it to end
/// (each step is bounded by its timeout), then undoes it.
public actor TakeoverSequence {
    public nonisolated let node: String
    public nonisolated let units: [String]
    public nonisolated let floatingIPs: [FloatingIPConfig]
    /// The service's timeouts (per unit: `[[service.unit]]`), and the health wait's bound.
    public nonisolated let service: ServiceConfig
    public nonisolated var startTimeout: Duration { service.startTimeout }
    /// How often the health URL is tried while waiting for the first healthy verdict.
    public nonisolated let healthPollInterval: Duration
    /// Failures of the running service, for the failure counter.
    public nonisolated var failures: AsyncStream<ServiceFailure> { monitor.failures }

    /// The health verdict while the service runs here with a health check, for status.
    public var healthView: StatusReport.Health? {
        get async { await monitor.healthView }
    }

    private let unitControl: any UnitControlling
    private let lock: any StorageLocking
    private let addresses: any AddressControlling
    private let health: (any HealthChecking)?
    private let healthRise: Int
    private let selfFence: any SelfFencing
    private let record: @Sendable (EventRecord) -> Void
    private let monitor: ServiceMonitor
    private let clock = ContinuousClock()

    /// What this node holds right now (what a release or an undo must give up).
    public private(set) var holdsLock = false
    public private(set) var heldAddresses: [FloatingIPConfig] = []
    /// Units a start was issued for (including one whose start failed: it may be half up).
    public private(set) var touchedUnits: [String] = []
    public private(set) var isActive = false

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(
        node: String,
        service: ServiceConfig,
        floatingIPs: [FloatingIPConfig],
        units: any UnitControlling,
        lock: any StorageLocking,
        addresses: any AddressControlling,
        health: (any HealthChecking)?,
        selfFence: any SelfFencing,
        healthRise: Int = 1,
        healthFall: Int = 3,
        healthPollInterval: Duration = .milliseconds(100),
        record: @escaping @Sendable (EventRecord) -> Void
    ) {
        self.node = node
        self.units = service.units
        self.floatingIPs = floatingIPs
        self.service = service
        self.healthPollInterval = healthPollInterval
        self.unitControl = units
        self.lock = lock
        self.addresses = addresses
        self.health = health
        self.healthRise = healthRise
        self.selfFence = selfFence
        self.record = record
        monitor = ServiceMonitor(
            units: service.units, control: units, health: health, monitorInterval: service.monitorInterval,
            healthInterval: service.effectiveHealthInterval, healthRise: healthRise, healthFall: healthFall,
            floatingIPs: floatingIPs, addresses: addresses, lock: lock, record: record)
    }

    // MARK: Takeover

    /// Fences every node of `fenceFirst` in order, locks, adds the address(es), starts the
    /// unit(s), waits until healthy, then starts monitoring. Calling it while active returns
    /// `.started` with no steps.
    ///
    /// `onFence` hears each fencing outcome as it happens (for `.fenced` / `.fenceFailed`
    /// reports); the first failure ends the takeover as `.blocked`, with nothing touched.
    ///
    /// `addressesKnownFree`: the previous holder of the address(es) confirmed its release or
    /// is fenced (`TakeoverContext.addressesKnownFree`), so the duplicate-address probe
    /// (`duplicate_check`) would only delay the takeover: it is skipped, unless the address
    /// asks for it on every takeover (`duplicate_check_always`).
    ///
    /// Cancellation (a release requested meanwhile): the current step stops as soon as it can
    /// (a unit start job is no longer waited for), everything done is undone, and the outcome
    /// is `.failed(step, CancellationError())`.
    public func takeOver(
        term: Term, fenceFirst: [String], fencer: any Fencer, addressesKnownFree: Bool = false,
        onFence: @Sendable (FenceOutcome) async -> Void = { _ in }
    ) async -> TakeoverOutcome {
        await exclusive()
        defer { leave() }
        if isActive { return .started(TakeoverReport(term: term, steps: [])) }
        var report = TakeoverReport(term: term, steps: [])

        if !fenceFirst.isEmpty {
            let began = clock.now
            var fenced: [String] = []
            for previous in fenceFirst {
                let nodeBegan = clock.now
                let outcome = await fencer.fence(node: previous, reason: "taking over the service (term \(term))")
                await onFence(outcome)
                guard outcome.succeeded else {
                    let reason = "fencing \(previous) failed: \(outcome.detail)"
                    emit(TakeoverStep.fence.eventKind, reason, severity: .error, duration: clock.now - nodeBegan)
                    emit(.takeoverBlocked, reason, severity: .error)
                    return .blocked(reason: reason, fence: outcome)
                }
                fenced.append("\(previous) (\(outcome.detail))")
            }
            done(.fence, began, "fenced \(fenced.joined(separator: ", "))", &report)
        }
        if Task.isCancelled { return await fail(.lock, CancellationError()) }

        var began = clock.now
        do {
            try await lock.acquire()
        } catch {
            return await fail(.lock, error)
        }
        holdsLock = true
        done(.lock, began, "took the storage lock", &report)
        if Task.isCancelled { return await fail(.ip, CancellationError()) }

        began = clock.now
        var probed: [String] = []
        for configured in floatingIPs {
            var ip = configured
            if addressesKnownFree && !ip.duplicateCheckAlways {
                ip.duplicateCheck = .zero
            } else if ip.duplicateCheck > .zero && !ip.isIPv6 {
                probed.append(ip.address)
            }
            do {
                try await addresses.add(ip)
            } catch {
                // The address may be half-added (added, announcement failed): remove it too.
                heldAddresses.append(configured)
                return await fail(.ip, error)
            }
            heldAddresses.append(configured)
        }
        if !floatingIPs.isEmpty {
            let check = probed.isEmpty
                ? (addressesKnownFree ? " (no duplicate-address probe: the previous holder released or is fenced)" : "")
                : " (probed for duplicates: \(probed.joined(separator: ", ")))"
            done(.ip, began, "added \(floatingIPs.map(\.cidr).joined(separator: ", "))\(check)", &report)
        }

        return await startService(&report)
    }

    /// Restart in place (the service failed while running here, below `migration_threshold`):
    /// the monitor stops, the unit(s) stop in reverse and start again in order, then the
    /// health wait; the lock and the address(es) stay. A failure of any of it (a stop, a start,
    /// the health wait) gives up everything, lock and addresses too, as a failed takeover does.
    public func restartInPlace(term: Term) async -> TakeoverOutcome {
        await exclusive()
        defer { leave() }
        var report = TakeoverReport(term: term, steps: [])
        await monitor.stop()
        isActive = false
        let began = clock.now
        for unit in units.reversed() {
            if Task.isCancelled { return await fail(.start, CancellationError()) }
            do {
                try await unitControl.stop(unit, timeout: service.stopTimeout(of: unit))
            } catch {
                return await fail(.start, error)
            }
        }
        emit(.restartStop, "stopped \(units.reversed().joined(separator: ", ")) to restart in place (lock and addresses kept)",
             duration: clock.now - began)
        return await startService(&report)
    }

    /// The end of a takeover and of a restart in place: the unit(s) in order, the health
    /// wait, then the monitor.
    private func startService(_ report: inout TakeoverReport) async -> TakeoverOutcome {
        var began = clock.now
        for unit in units {
            if Task.isCancelled { return await fail(.start, CancellationError()) }
            if !touchedUnits.contains(unit) { touchedUnits.append(unit) }
            let unitBegan = clock.now
            do {
                try await unitControl.start(unit, timeout: service.startTimeout(of: unit))
            } catch {
                return await fail(.start, error)
            }
            emit(.takeoverStartUnit, "started \(unit)", duration: clock.now - unitBegan)
        }
        done(.start, began, "started \(units.joined(separator: ", "))", &report)

        if let health {
            began = clock.now
            do {
                try await waitHealthy(health)
            } catch {
                return await fail(.healthy, error)
            }
            done(.healthy, began, "service healthy", &report)
        }

        isActive = true
        await monitor.start()
        return .started(report)
    }

    private func done(_ step: TakeoverStep, _ began: ContinuousClock.Instant, _ message: String, _ report: inout TakeoverReport) {
        let took = clock.now - began
        report.steps.append(.init(step: step, duration: took))
        emit(step.eventKind, message, duration: took)
    }

    /// Undoes everything held, in reverse, after `step` failed.
    private func fail(_ step: TakeoverStep, _ error: any Error) async -> TakeoverOutcome {
        emit(.takeoverFailed, "\(step.rawValue) failed: \(error)", severity: .error)
        let undone = await giveUp(stepKind: .takeoverUndo)
        switch undone {
        case .released:
            return .failed(step: step, error: error)
        case let .selfFenced(_, undoError):
            return .selfFenced(step: step, error: error, undoError: undoError)
        }
    }

    /// Polls the health check until `healthRise` successes in a row, bounded by `start_timeout`.
    /// Throws the last `HealthFailure` when time is up, `CancellationError` when cancelled.
    private func waitHealthy(_ health: any HealthChecking) async throws {
        var counter = HealthCounter(rise: healthRise, fall: 1)
        let deadline = clock.now + startTimeout
        var last: HealthFailure?
        while true {
            try Task.checkCancellation()
            let failure = await health.check()
            if counter.record(healthy: failure == nil) == .healthy { return }
            if let failure { last = failure }
            if clock.now >= deadline {
                throw last ?? HealthFailure.timedOut(url: "health check", after: startTimeout)
            }
            try await Task.sleep(for: healthPollInterval)
        }
    }

    // MARK: Maintenance

    /// `maintenance off` on the holder: adopts what it finds. Every unit that is not
    /// running is started (one running already is left alone: not restarted, same
    /// MainPID), then the monitor watches the service again. Does nothing unless active.
    /// A unit that fails to start is left to the monitor, which reports it as a failure.
    /// - Returns: the units it started.
    public func adopt() async -> [String] {
        await exclusive()
        defer { leave() }
        guard isActive else { return [] }
        await monitor.stop()
        var started: [String] = []
        for unit in units {
            if let status = try? await unitControl.status(of: unit), status.isRunning { continue }
            let began = clock.now
            do {
                try await unitControl.start(unit, timeout: service.startTimeout(of: unit))
            } catch {
                emit(.adoptFailed, "starting \(unit) after maintenance failed: \(error)", severity: .error)
                break
            }
            started.append(unit)
            emit(.adoptStartUnit, "started \(unit), found stopped when maintenance ended", duration: clock.now - began)
        }
        await monitor.start()
        return started
    }

    // MARK: Release

    /// Stops the unit(s) in reverse, removes the address(es), unlocks. Every configured unit
    /// and address is released, not only those this process started (it may have restarted).
    public func release(reason: String) async -> ReleaseOutcome {
        await exclusive()
        defer { leave() }
        emit(.releaseBegin, "releasing: \(reason)")
        touchedUnits = units
        heldAddresses = floatingIPs
        holdsLock = true
        return await giveUp(stepKind: nil)
    }

    /// Stops the units, removes addresses, unlocks; self-fences on any failure.
    /// `stepKind` nil records `release.<step>` events; otherwise that kind (for undo).
    private func giveUp(stepKind: EventKind?) async -> ReleaseOutcome {
        await monitor.stop()
        isActive = false
        var began = clock.now
        for unit in touchedUnits.reversed() {
            do {
                try await unitControl.stop(unit, timeout: service.stopTimeout(of: unit))
            } catch {
                return await fenceSelf(.stop, error)
            }
            touchedUnits.removeAll { $0 == unit }
        }
        emit(stepKind ?? ReleaseStep.stop.eventKind, "stopped \(units.reversed().joined(separator: ", "))", duration: clock.now - began)

        began = clock.now
        for ip in heldAddresses.reversed() {
            do {
                try await addresses.remove(ip)
            } catch {
                return await fenceSelf(.ip, error)
            }
            heldAddresses.removeAll { $0 == ip }
        }
        if !floatingIPs.isEmpty {
            emit(stepKind ?? ReleaseStep.ip.eventKind, "removed \(floatingIPs.map(\.cidr).joined(separator: ", "))",
                 duration: clock.now - began)
        }

        if holdsLock {
            began = clock.now
            await lock.release()
            holdsLock = false
            emit(stepKind ?? ReleaseStep.unlock.eventKind, "gave up the storage lock", duration: clock.now - began)
        }
        return .released
    }

    private func fenceSelf(_ step: ReleaseStep, _ error: any Error) async -> ReleaseOutcome {
        let reason = "\(step.rawValue) failed while giving up the service: \(error)"
        emit(.releaseSelfFence, reason, severity: .error)
        await selfFence.fenceSelf(reason: reason)
        return .selfFenced(step: step, error: error)
    }

    // MARK: Re-execution in place

    /// A takeover or release is running.
    public var isBusy: Bool { busy }

    /// Whether anything of the service is held here (lock, address, a unit started).
    public var holdsAnything: Bool { holdsLock || !heldAddresses.isEmpty || !touchedUnits.isEmpty || isActive }

    /// What this node holds, for the next image of the daemon (`systemctl reload`). Refused
    /// while a takeover or release runs. Stops the monitor; the units keep running.
    public func suspendForHandover() async -> TakeoverHandover? {
        guard !busy else { return nil }
        await monitor.stop()
        return TakeoverHandover(
            holdsLock: holdsLock, heldAddresses: heldAddresses.map(\.cidr), touchedUnits: touchedUnits, isActive: isActive)
    }

    /// Goes on holding what the previous image held (its lock descriptor already adopted by the
    /// lock): nothing is started, stopped or added; the monitor starts again if it ran.
    public func resume(_ held: TakeoverHandover) async {
        holdsLock = held.holdsLock
        heldAddresses = floatingIPs.filter { held.heldAddresses.contains($0.cidr) }
        touchedUnits = held.touchedUnits.filter { units.contains($0) }
        isActive = held.isActive
        if isActive { await monitor.start() }
        emit(.reloadResumed, "went on holding: \(describe(held))")
    }

    private func describe(_ held: TakeoverHandover) -> String {
        var parts: [String] = []
        if held.holdsLock { parts.append("the storage lock") }
        if !held.heldAddresses.isEmpty { parts.append(held.heldAddresses.joined(separator: ", ")) }
        if !held.touchedUnits.isEmpty { parts.append(held.touchedUnits.joined(separator: ", ")) }
        return parts.isEmpty ? "nothing" : parts.joined(separator: "; ")
    }

    // MARK: Plumbing

    private func emit(_ kind: EventKind, _ message: String, severity: ClusterEvent.Severity = .info, duration: Duration? = nil) {
        record(EventRecord(kind: kind, severity: severity, message: message, durationMilliseconds: duration?.wholeMilliseconds))
    }

    private func exclusive() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
