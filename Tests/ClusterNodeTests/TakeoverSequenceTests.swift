@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Synchronization
import Testing
@testable import ClusterCore

@Suite struct TakeoverSequenceTests {
    static let ips = [
        FloatingIPConfig(address: "198.18.1.50", prefixLength: 24),
        FloatingIPConfig(address: "198.18.1.51", prefixLength: 24),
    ]
    static let service = ServiceConfig(
        name: "svc", units: ["a.service", "b.service"], systemdBus: .user,
        startTimeout: .seconds(10), stopTimeout: .seconds(10), monitorInterval: .milliseconds(20))

    static let takeoverLog = ["fence dss1", "lock", "add 198.18.1.50/24", "add 198.18.1.51/24", "start a.service", "start b.service"]
    static let releaseLog = ["stop b.service", "stop a.service", "remove 198.18.1.51/24", "remove 198.18.1.50/24", "unlock"]

    func sequence(_ script: TakeoverScript, health: (any HealthChecking)? = nil, changes: AsyncStream<UnitStatus>? = nil,
                  statuses: (@Sendable (String) -> UnitStatus)? = nil, startTimeout: Duration = .seconds(10),
                  addresses: FakeAddresses? = nil) -> TakeoverSequence {
        var service = Self.service
        service.startTimeout = startTimeout
        let units = statuses.map { FakeUnits(script: script, changes: changes, statuses: $0) } ?? FakeUnits(script: script, changes: changes)
        return TakeoverSequence(
            node: "dss2", service: service, floatingIPs: Self.ips,
            units: units, lock: FakeLock(script: script), addresses: addresses ?? FakeAddresses(script: script),
            health: health, selfFence: RecordingSelfFence(script: script),
            healthPollInterval: .milliseconds(5),
            record: { script.record($0) })
    }

    @Test func takeoverRunsTheStepsInOrderAndReleaseReversesThem() async {
        let script = TakeoverScript()
        let takeover = sequence(script)
        let outcome = await takeover.takeOver(term: Term(7), fenceFirst: ["dss1"], fencer: FakeFencer(script: script, succeeds: true))
        guard case let .started(report) = outcome else { Issue.record("expected started, got \(outcome)"); return }
        #expect(script.log == Self.takeoverLog)
        #expect(report.term == Term(7))
        #expect(report.steps.map(\.step) == [.fence, .lock, .ip, .start])
        #expect(script.eventKinds.filter { $0.hasPrefix("takeover.") && !$0.hasSuffix(".unit") }
            == ["takeover.fence", "takeover.lock", "takeover.ip", "takeover.start"])
        #expect(script.events.allSatisfy { $0.durationMilliseconds != nil }, "each closes a step")
        #expect(await takeover.isActive)

        script.clear()
        let released = await takeover.release(reason: "test")
        #expect(released.isReleased)
        #expect(script.log == Self.releaseLog)
        #expect(script.eventKinds == ["release.begin", "release.stop", "release.ip", "release.unlock"])
        #expect(script.events.filter { $0.kind != .releaseBegin }.allSatisfy { $0.durationMilliseconds != nil })
        #expect(await !takeover.isActive)
    }

    @Test func restartInPlaceStopsAndStartsTheUnitsOnlyKeepingLockAndAddresses() async {
        let script = TakeoverScript()
        let takeover = sequence(script)
        #expect(await takeover.takeOver(term: Term(7), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)).isStarted)
        script.clear()
        let outcome = await takeover.restartInPlace(term: Term(7))
        guard case let .started(report) = outcome else { Issue.record("expected started, got \(outcome)"); return }
        #expect(script.log == ["stop b.service", "stop a.service", "start a.service", "start b.service"])
        #expect(report.steps.map(\.step) == [.start])
        #expect(script.eventKinds.contains("restart.stop"))
        let (active, locked, addresses) = (await takeover.isActive, await takeover.holdsLock, await takeover.heldAddresses.count)
        #expect(active && locked && addresses == 2)
    }

    @Test func aRestartInPlaceWhoseStartFailsGivesUpEverything() async {
        let script = TakeoverScript()
        let takeover = sequence(script)
        #expect(await takeover.takeOver(term: Term(7), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)).isStarted)
        script.clear()
        script.fail("start b.service")
        let outcome = await takeover.restartInPlace(term: Term(7))
        guard case let .failed(step, _) = outcome else { Issue.record("expected failed, got \(outcome)"); return }
        #expect(step == .start)
        #expect(script.log.suffix(5) == ["stop b.service", "stop a.service", "remove 198.18.1.51/24", "remove 198.18.1.50/24", "unlock"])
        let (active, locked, addresses) = (await takeover.isActive, await takeover.holdsLock, await takeover.heldAddresses.count)
        #expect(!active && !locked && addresses == 0)
    }

    /// After a confirmed release or fence nobody else holds the address: the probe only delays
    /// the takeover. On a cold start, and for an address that asks for it every time, it runs.
    @Test(arguments: [
        (knownFree: false, always: false, probed: true),
        (knownFree: true, always: false, probed: false),
        (knownFree: true, always: true, probed: true),
    ])
    func theDuplicateProbeRunsUnlessTheAddressIsKnownFree(knownFree: Bool, always: Bool, probed: Bool) async {
        let script = TakeoverScript()
        let addresses = FakeAddresses(script: script)
        let ip = FloatingIPConfig(address: "198.18.1.50", prefixLength: 24, duplicateCheck: .milliseconds(200), duplicateCheckAlways: always)
        let takeover = TakeoverSequence(
            node: "dss2", service: Self.service, floatingIPs: [ip],
            units: FakeUnits(script: script), lock: FakeLock(script: script), addresses: addresses,
            health: nil, selfFence: RecordingSelfFence(script: script), record: { script.record($0) })
        let outcome = await takeover.takeOver(term: Term(3), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true),
                                              addressesKnownFree: knownFree)
        guard case .started = outcome else { Issue.record("expected started, got \(outcome)"); return }
        #expect(addresses.probes.withLock { $0 } == [probed ? "198.18.1.50 0.2 seconds" : "198.18.1.50 0.0 seconds"])
        // What it holds (and gives up) is the configured address, probe setting included.
        #expect(await takeover.heldAddresses == [ip])
        let message = script.events.first { $0.kind == .takeoverIP }?.message ?? ""
        #expect(message.contains(probed ? "probed for duplicates: 198.18.1.50" : "no duplicate-address probe"), "\(message)")
    }

    @Test func theAddressesAreKnownFreeWhenSomebodyHeldThemBefore() {
        #expect(!TakeoverContext(previousHolder: nil).addressesKnownFree(fenceFirst: []), "cold start")
        #expect(TakeoverContext(previousHolder: "dss1").addressesKnownFree(fenceFirst: []), "released")
        #expect(TakeoverContext(previousHolder: nil).addressesKnownFree(fenceFirst: ["dss1"]), "fenced")
    }

    @Test func noFenceStepWithoutAPreviousActiveNode() async {
        let script = TakeoverScript()
        let outcome = await sequence(script).takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: false))
        #expect(outcome.isStarted)
        #expect(script.log == Array(Self.takeoverLog.dropFirst()))
    }

    @Test func failedFenceBlocksAndTouchesNothing() async {
        let script = TakeoverScript()
        let takeover = sequence(script)
        let outcome = await takeover.takeOver(term: Term(3), fenceFirst: ["dss1"], fencer: FakeFencer(script: script, succeeds: false))
        guard case let .blocked(reason, fence) = outcome else { Issue.record("expected blocked, got \(outcome)"); return }
        #expect(reason.contains("dss1") && reason.contains("agent failed"))
        #expect(!fence.succeeded)
        #expect(script.log == ["fence dss1"])
        #expect(script.eventKinds == ["takeover.fence", "takeover.blocked"])
        #expect(await !takeover.isActive)
        #expect(await !takeover.holdsLock)
    }

    /// For a failure at each operation: the steps up to it ran, then exactly what was done
    /// (including the failing unit or address, which may be half done) is undone in reverse.
    @Test(arguments: [
        ("lock", TakeoverStep.lock, ["fence dss1", "lock"]),
        ("add 198.18.1.50/24", .ip, ["fence dss1", "lock", "add 198.18.1.50/24",
                                     "remove 198.18.1.50/24", "unlock"]),
        ("add 198.18.1.51/24", .ip, ["fence dss1", "lock", "add 198.18.1.50/24", "add 198.18.1.51/24",
                                     "remove 198.18.1.51/24", "remove 198.18.1.50/24", "unlock"]),
        ("start a.service", .start, ["fence dss1", "lock", "add 198.18.1.50/24", "add 198.18.1.51/24", "start a.service",
                                     "stop a.service", "remove 198.18.1.51/24", "remove 198.18.1.50/24", "unlock"]),
        ("start b.service", .start, TakeoverSequenceTests.takeoverLog + TakeoverSequenceTests.releaseLog),
    ] as [(String, TakeoverStep, [String])])
    func failedStepIsUndoneInReverse(operation: String, step: TakeoverStep, expected: [String]) async {
        let script = TakeoverScript()
        script.fail(operation)
        let takeover = sequence(script)
        let outcome = await takeover.takeOver(term: Term(2), fenceFirst: ["dss1"], fencer: FakeFencer(script: script, succeeds: true))
        guard case let .failed(failedStep, error) = outcome else { Issue.record("expected failed, got \(outcome)"); return }
        #expect(failedStep == step)
        #expect((error as? TakeoverScript.Injected)?.operation == operation)
        #expect(script.log == expected)
        #expect(script.eventKinds.contains("takeover.failed"))
        #expect(!script.log.contains { $0.hasPrefix("SELF-FENCE") })
        #expect(await !takeover.isActive)
        #expect(await !takeover.holdsLock)
        #expect(await takeover.heldAddresses.isEmpty)
    }

    @Test func neverHealthyIsUndoneAfterStartTimeout() async {
        let script = TakeoverScript()
        let health = FakeHealth([.status(url: "http://x/", code: 503)])
        let outcome = await sequence(script, health: health, startTimeout: .milliseconds(300))
            .takeOver(term: Term(2), fenceFirst: ["dss1"], fencer: FakeFencer(script: script, succeeds: true))
        guard case let .failed(step, error) = outcome else { Issue.record("expected failed, got \(outcome)"); return }
        #expect(step == .healthy)
        #expect(error as? HealthFailure == .status(url: "http://x/", code: 503))
        #expect(script.log == Self.takeoverLog + Self.releaseLog)
        #expect(health.checks >= 2)
    }

    @Test func waitsForTheFirstHealthyCheck() async {
        let script = TakeoverScript()
        let health = FakeHealth([.timedOut(url: "u", after: .seconds(1)), .status(url: "u", code: 500), nil])
        let outcome = await sequence(script, health: health).takeOver(term: Term(2), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true))
        guard case let .started(report) = outcome else { Issue.record("expected started, got \(outcome)"); return }
        #expect(report.steps.map(\.step) == [.lock, .ip, .start, .healthy])
        #expect(health.checks == 3)
    }

    @Test func stopTimeoutOnReleaseSelfFencesAndKeepsTheRest() async {
        let script = TakeoverScript()
        let takeover = sequence(script)
        #expect(await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)).isStarted)
        script.clear()
        script.fail("stop a.service", with: UnitError.stopTimedOut(unit: "a.service", after: .milliseconds(300)))
        let outcome = await takeover.release(reason: "lost quorum")
        guard case let .selfFenced(step, error) = outcome else { Issue.record("expected selfFenced, got \(outcome)"); return }
        #expect(step == .stop)
        #expect(error as? UnitError == .stopTimedOut(unit: "a.service", after: .milliseconds(300)))
        #expect(script.log.count == 3)
        #expect(Array(script.log.prefix(2)) == ["stop b.service", "stop a.service"])
        #expect(script.log[2].hasPrefix("SELF-FENCE: stop failed") && script.log[2].contains("a.service"))
        // Addresses and lock stay held until the node goes down: another node must fence us first.
        #expect(!script.log.contains("unlock"))
        #expect(script.eventKinds.contains("release.selffence"))
    }

    @Test func failedRemovalOnReleaseSelfFences() async {
        let script = TakeoverScript()
        let takeover = sequence(script)
        _ = await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true))
        script.clear()
        script.fail("remove 198.18.1.50/24")
        guard case .selfFenced(.ip, _) = await takeover.release(reason: "move") else { Issue.record("expected self-fence"); return }
        #expect(script.log.last?.hasPrefix("SELF-FENCE") == true)
        #expect(!script.log.contains("unlock"))
    }

    @Test func undoThatCannotStopSelfFences() async {
        let script = TakeoverScript()
        script.fail("start b.service")
        script.fail("stop b.service")
        let outcome = await sequence(script).takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true))
        guard case let .selfFenced(step, error, undoError) = outcome else { Issue.record("expected selfFenced, got \(outcome)"); return }
        #expect(step == .start)
        #expect((error as? TakeoverScript.Injected)?.operation == "start b.service")
        #expect((undoError as? TakeoverScript.Injected)?.operation == "stop b.service")
        #expect(script.log.last?.hasPrefix("SELF-FENCE") == true)
    }

    @Test func monitorReportsAUnitThatGoesDownOnce() async throws {
        let script = TakeoverScript()
        let (changes, push) = AsyncStream.makeStream(of: UnitStatus.self)
        let takeover = sequence(script, changes: changes)
        _ = await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true))
        push.yield(UnitStatus(unit: "a.service", loadState: "loaded", activeState: "failed", subState: "failed"))
        push.yield(UnitStatus(unit: "a.service", loadState: "loaded", activeState: "failed", subState: "failed"))
        var iterator = takeover.failures.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first == .unitDown(UnitStatus(unit: "a.service", loadState: "loaded", activeState: "failed", subState: "failed")))
        push.finish()
    }

    /// Someone removes a floating address while the service runs: the monitor adds it back
    /// within a poll or two, with an `ip.restored` warning; the units are not touched.
    @Test func monitorPutsBackAnAddressRemovedBySomeoneElse() async throws {
        let script = TakeoverScript()
        let addresses = FakeAddresses(script: script)
        let takeover = sequence(script, addresses: addresses)
        #expect(await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)).isStarted)
        script.clear()
        try await Task.sleep(for: .milliseconds(50))  // a poll or two: seen on eth0
        addresses.vanish("198.18.1.51/24")
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !script.eventKinds.contains("ip.restored") {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(addresses.isHeld("198.18.1.51/24"))
        #expect(script.log == ["add 198.18.1.51/24"])
        let event = script.events.first { $0.kind == .ipRestored }
        #expect(event?.severity == .warning)
        #expect(event?.message == "198.18.1.51/24 was removed from eth0 by someone else; added it back")
        // Once back, it is left alone.
        try await Task.sleep(for: .milliseconds(100))
        #expect(script.log == ["add 198.18.1.51/24"])
        #expect(await takeover.release(reason: "test").isReleased)
    }

    /// An address that cannot be put back is a failure of the service (once, until it is seen again).
    @Test func monitorReportsAnAddressThatCannotBePutBack() async throws {
        let script = TakeoverScript()
        let addresses = FakeAddresses(script: script)
        let takeover = sequence(script, addresses: addresses)
        #expect(await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)).isStarted)
        script.clear()
        script.fail("add 198.18.1.50/24")
        addresses.vanish("198.18.1.50/24")
        var iterator = takeover.failures.makeAsyncIterator()
        let failure = await iterator.next()
        guard case let .addressLost(address, reason) = failure else { Issue.record("expected addressLost, got \(String(describing: failure))"); return }
        #expect(address == "198.18.1.50/24")
        #expect(reason.contains("injected failure of 'add 198.18.1.50/24'"), "\(reason)")
        #expect(failure?.description.hasPrefix("floating IP 198.18.1.50/24 was removed and could not be added back") == true)
        try await Task.sleep(for: .milliseconds(100))
        #expect(script.log == ["add 198.18.1.50/24"], "tried once, reported once")
        #expect(!script.eventKinds.contains("ip.restored"))
    }

    /// A release that comes while an address is being put back waits for it, then removes it:
    /// the address is never added back after the release removed it.
    @Test func releaseWaitsForAnAddressBeingPutBack() async throws {
        let script = TakeoverScript()
        let addresses = FakeAddresses(script: script, addDelay: .milliseconds(300))
        let takeover = sequence(script, addresses: addresses)
        #expect(await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)).isStarted)
        script.clear()
        addresses.vanish("198.18.1.50/24")
        for _ in 0..<2000 where !script.log.contains("add 198.18.1.50/24") { try await Task.sleep(for: .milliseconds(1)) }
        #expect(await takeover.release(reason: "test").isReleased)
        try await Task.sleep(for: .milliseconds(400))  // longer than the add: had it gone on, it would be done
        #expect(!addresses.isHeld("198.18.1.50/24"), "added back after the release removed it")
        #expect(script.log.first == "add 198.18.1.50/24")
        #expect(script.log.last == "unlock")
    }

    @Test func monitorPollsAndReportsHealthAfterFallFailures() async {
        let script = TakeoverScript()
        let health = FakeHealth([nil])
        let takeover = sequence(script, health: health)
        #expect(await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)).isStarted)
        let checksBefore = health.checks
        health.set([.status(url: "u", code: 500)])
        var iterator = takeover.failures.makeAsyncIterator()
        let failure = await iterator.next()
        #expect(failure == .unhealthy(.status(url: "u", code: 500)))
        // fall = 3 polls at monitor_interval, not fewer.
        #expect(health.checks - checksBefore >= 3)
        let view = await takeover.healthView
        #expect(view?.state == .unhealthy)
        #expect(view?.detail?.contains("500") == true, "\(String(describing: view))")
    }

    @Test func statusShowsFailedChecksCountedBelowFall() async throws {
        let script = TakeoverScript()
        let health = FakeHealth([nil])
        let takeover = sequence(script, health: health)
        #expect(await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)).isStarted)
        #expect(await takeover.healthView?.state == .healthy)
        // One failure, then healthy forever: status shows the count, never "unhealthy".
        health.set([.status(url: "u", code: 503), nil])
        var counted: StatusReport.Health?
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let view = await takeover.healthView, view.detail?.contains("1 of 3 in a row") == true {
                counted = view
                break
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(counted?.state == .healthy, "\(String(describing: counted))")
        #expect(counted?.detail?.contains("503") == true)
    }

    @Test func releaseDuringTakeoverWaitsAndThenUndoesIt() async throws {
        let script = TakeoverScript()
        let health = GatedHealth()
        let takeover = sequence(script, health: health)
        async let started = takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true))
        // The takeover is now waiting for health, past its start step.
        for _ in 0..<2000 {
            if script.log.contains("start b.service") { break }
            try await Task.sleep(for: .milliseconds(1))
        }
        let release = Task { await takeover.release(reason: "demoted") }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!script.log.contains("stop b.service"), "release ran in the middle of the takeover")
        health.open()
        #expect(await started.isStarted)
        #expect(await release.value.isReleased)
        #expect(script.log == Array(Self.takeoverLog.dropFirst()) + Self.releaseLog)
        #expect(await !takeover.holdsLock)
    }

    @Test func everyNodeIsFencedInOrderAndTheFirstFailureBlocks() async {
        let script = TakeoverScript()
        let heard = TakeoverScript()
        let fencer = SelectiveFencer(script: script, failing: ["dss3"])
        let outcome = await sequence(script).takeOver(term: Term(4), fenceFirst: ["dss1", "dss3", "dss4"], fencer: fencer) {
            heard.note("\($0.node) \($0.succeeded)")
        }
        guard case let .blocked(reason, fence) = outcome else { Issue.record("expected blocked, got \(outcome)"); return }
        #expect(fence.node == "dss3" && reason.contains("dss3"))
        #expect(script.log == ["fence dss1", "fence dss3"])
        #expect(heard.log == ["dss1 true", "dss3 false"])
    }

    @Test func cancellingATakeoverUndoesIt() async throws {
        let script = TakeoverScript()
        let takeover = sequence(script, health: GatedHealth())
        let task = Task { await takeover.takeOver(term: Term(1), fenceFirst: [], fencer: FakeFencer(script: script, succeeds: true)) }
        for _ in 0..<2000 {
            if script.log.contains("start b.service") { break }
            try await Task.sleep(for: .milliseconds(1))
        }
        task.cancel()
        let outcome = await task.value
        guard case let .failed(step, error) = outcome else { Issue.record("expected failed, got \(outcome)"); return }
        #expect(step == .healthy)
        #expect(error is CancellationError)
        #expect(script.log == Array(Self.takeoverLog.dropFirst()) + Self.releaseLog)
        #expect(await !takeover.holdsLock)
    }
}
