import ClusterNode
import ClusterHost
import Foundation
import Testing
@testable import ClusterCore

/// The whole takeover and release on real components at once: a systemd user manager over
/// sd-bus, flock on a real directory, the floating address on a veth in a network namespace
/// (with a neighbour namespace), and `health_url` served by the unit itself.
@Suite(.serialized) final class UnitManagerInTakeoverTests {
    let systemd: TestUserManager
    let manager: UnitManager
    let storage: String
    let node: String
    let peer: String
    let nodeLink: String
    let peerLink: String
    /// A port nobody listens on (the kernel's pick), so only our unit can answer the health check.
    let port = UInt16(TestShell.run("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'")
        .stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 20_000 + UInt16(getpid() % 30_000)
    let web: String
    let vip = FloatingIPConfig(address: "198.18.202.50", prefixLength: 24, interface: nil, arpCount: 2)

    init() throws {
        systemd = try TestUserManager(tag: "it")
        manager = UnitManager(bus: .address(systemd.busAddress))
        storage = systemd.directory + "/shared"
        let tag = "\(getpid() % 100_000)t\(UniqueTestNumber.shared.next())"
        node = "hacdit\(tag)n"
        peer = "hacdit\(tag)p"
        nodeLink = "hit\(tag)n"
        peerLink = "hit\(tag)p"
        web = "hacd-it\(getpid())-web.service"
        TestShell.must("""
            set -e
            mkdir -p \(storage)
            ip netns add \(node); ip netns add \(peer)
            ip link add \(nodeLink) netns \(node) type veth peer name \(peerLink) netns \(peer)
            ip -n \(node) addr add 198.18.202.1/24 dev \(nodeLink)
            ip -n \(peer) addr add 198.18.202.2/24 dev \(peerLink)
            ip -n \(node) link set \(nodeLink) up; ip -n \(peer) link set \(peerLink) up
            """)
        try systemd.writeUnit(web, """
            [Service]
            ExecStart=/usr/bin/python3 -m http.server \(port) --bind 127.0.0.1 --directory \(storage)
            """)
    }

    deinit {
        TestShell.run("ip netns del \(node); ip netns del \(peer)")
        systemd.stop()
    }

    func sequence(units: [String], events: TakeoverEventLog, unitTimeouts: [String: ServiceConfig.UnitTimeouts] = [:]) -> TakeoverSequence {
        var service = ServiceConfig(name: "web", units: units, systemdBus: .user, startTimeout: .seconds(20),
                                    stopTimeout: .seconds(20), monitorInterval: .seconds(1),
                                    healthURL: "http://127.0.0.1:\(port)/")
        service.unitTimeouts = unitTimeouts
        return TakeoverSequence(
            node: "n1", service: service, floatingIPs: [vip],
            units: manager,
            lock: SharedStorageLock(file: storage + "/.hacluster.lock", acquireTimeout: .seconds(2)),
            addresses: FloatingAddress(commandPrefix: ["ip", "netns", "exec", node]),
            health: try! HealthProbe(parsing: service.healthURL!, timeout: .milliseconds(500)),
            selfFence: NoSelfFence(),
            healthPollInterval: .milliseconds(50),
            record: { events.append($0) })
    }

    var lockIsFree: Bool { TestShell.run("flock -n '\(storage)/.hacluster.lock' true").status == 0 }
    var vipIsUp: Bool { TestShell.run("ip -n \(node) -o addr show").stdout.contains("inet \(vip.cidr) ") }

    @Test func aUnitsOwnStartTimeoutBoundsItsStart() async throws {
        // The slow unit takes 30 s to start; its own start_timeout is 1 s, the service's 20 s.
        let slow = "hacd-it\(getpid())-slow.service"
        try systemd.writeUnit(slow, "[Service]\nType=notify\nExecStart=/bin/sleep 30\nTimeoutStartSec=60s\n")
        _ = systemd.systemctl("daemon-reload")
        let events = TakeoverEventLog()
        let takeover = sequence(units: [slow, web], events: events, unitTimeouts: [slow: .init(start: .seconds(1))])
        let clock = ContinuousClock()
        let began = clock.now
        let outcome = await takeover.takeOver(term: Term(5), fenceFirst: [], fencer: AlwaysFenced())
        let took = clock.now - began
        guard case let .failed(step, error) = outcome else { Issue.record("expected a failed start, got \(outcome)"); return }
        #expect(step == .start)
        #expect("\(error)".contains(slow), "\(error)")
        #expect(took < .seconds(10), "bounded by the unit's 1 s, not the service's 20 s: took \(took)")
        #expect(lockIsFree)
        #expect(!vipIsUp)
        print("measured: a start bounded by its unit's own start_timeout (1s) failed after \(millis(took))")
    }

    @Test func takeOverAndReleaseOnRealComponents() async throws {
        _ = systemd.systemctl("daemon-reload")
        let events = TakeoverEventLog()
        let takeover = sequence(units: [web], events: events)
        let outcome = await takeover.takeOver(term: Term(4), fenceFirst: ["n0"], fencer: AlwaysFenced())
        guard case let .started(report) = outcome else { Issue.record("takeover failed: \(outcome)"); return }
        #expect(report.steps.map(\.step) == [.fence, .lock, .ip, .start, .healthy])
        #expect(!lockIsFree)
        #expect(vipIsUp)
        #expect(try await manager.status(of: web).activeState == "active")
        #expect(try await HealthProbe(parsing: "http://127.0.0.1:\(port)/").check() == nil)
        print("measured takeover steps: " + report.steps.map { "\($0.step.rawValue) \(millis($0.duration))" }.joined(separator: ", "))

        let released = await takeover.release(reason: "test")
        #expect(released.isReleased)
        #expect(lockIsFree)
        #expect(!vipIsUp)
        #expect(try await manager.status(of: web).activeState == "inactive")
        let releaseSteps = events.all.filter { $0.kind.rawValue.hasPrefix("release.") && $0.durationMilliseconds != nil }
        #expect(releaseSteps.map(\.kind) == [.releaseStop, .releaseIP, .releaseUnlock])
        print("measured release steps: " + releaseSteps.map { "\($0.kind) \($0.durationMilliseconds!) ms" }.joined(separator: ", "))
    }

    @Test func aUnitThatFailsUndoesEverythingOnRealComponents() async throws {
        let broken = "hacd-it\(getpid())-broken.service"
        try systemd.writeUnit(broken, "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/false\n")
        _ = systemd.systemctl("daemon-reload")
        let events = TakeoverEventLog()
        let takeover = sequence(units: [web, broken], events: events)
        let outcome = await takeover.takeOver(term: Term(5), fenceFirst: [], fencer: AlwaysFenced())
        guard case let .failed(step, error) = outcome else { Issue.record("expected failed, got \(outcome)"); return }
        #expect(step == .start)
        #expect(error as? UnitError == .startFailed(unit: broken, result: "failed"))
        #expect(lockIsFree)
        #expect(!vipIsUp)
        #expect(try await manager.status(of: web).activeState == "inactive")
        #expect(events.all.map(\.kind).contains(.takeoverFailed))
    }

    @Test func aServiceCrashIsReported() async throws {
        _ = systemd.systemctl("daemon-reload")
        let events = TakeoverEventLog()
        let takeover = sequence(units: [web], events: events)
        #expect(await takeover.takeOver(term: Term(6), fenceFirst: [], fencer: AlwaysFenced()).isStarted)
        systemd.systemctl("kill --signal=KILL \(web)")
        var failures = takeover.failures.makeAsyncIterator()
        let failure = await failures.next()
        guard case let .unitDown(status) = failure else { Issue.record("expected unitDown, got \(String(describing: failure))"); return }
        #expect(status.unit == web)
        #expect(!lockIsFree)
        #expect(vipIsUp)
        #expect(await takeover.release(reason: "done").isReleased)
        #expect(lockIsFree)
    }
}

final class TakeoverEventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [EventRecord] = []
    func append(_ event: EventRecord) { lock.withLock { events.append(event) } }
    var all: [EventRecord] { lock.withLock { events } }
}

struct AlwaysFenced: Fencer {
    func fence(node: String, reason: String) async -> FenceOutcome {
        FenceOutcome(node: node, succeeded: true, level: 1, devices: ["test"], detail: "test: \(node) is off", durationMilliseconds: 0)
    }
}

struct NoSelfFence: SelfFencing {
    func fenceSelf(reason: String) async {
        Issue.record("self-fence requested: \(reason)")
    }
}
