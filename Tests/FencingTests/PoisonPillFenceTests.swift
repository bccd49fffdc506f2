import ClusterCore
import ClusterHost
import Foundation
import Synchronization
import Testing
@testable import Fencing

/// The storage fence device (`agent = "storage"`) on a real arbiter file in a real directory:
/// the coordinator writes the pill, waits msgwait (the test's sleep plays the victim meanwhile
/// with its own `ArbiterFile` on the same file), and checks that the victim's heartbeat stopped.
@Suite(.timeLimit(.minutes(2)))
struct PoisonPillFenceTests {
    static let key = ArbiterKey(keyMaterial: Array(repeating: 0x3A, count: 32), clusterName: "fencing-test")
    let directory: TestDirectory
    let config: ClusterConfig

    init() throws {
        directory = try TestDirectory("pill")
        var config = ClusterConfig.fencingTest(FencingConfig(
            timeout: .seconds(5),
            devices: [FenceDeviceConfig(name: "nas", agent: FenceDeviceConfig.storageAgent, nodes: ["n1", "n2"])],
            watchdog: "/dev/watchdog", watchdogTimeout: .seconds(3)))
        config.storage = StorageConfig(path: directory.path)
        self.config = config
    }

    /// The victim's own view of the arbiter file.
    func victimFile() throws -> ArbiterFile {
        try ArbiterFile(path: config.storage.arbiterFile, codec: ArbiterCodec(key: Self.key, layout: ArbiterLayout(config: config)), localNode: "n2")
    }

    static func heartbeat(counter: UInt64, run: UInt64 = 7000) -> ArbiterHeartbeat {
        ArbiterHeartbeat(node: "n2", incarnation: Incarnation(run), term: Term(4), leader: true, holding: true,
                         counter: counter, wallClock: 1_800_000_000_000)
    }

    /// A coordinator whose msgwait runs `duringMsgwait` instead of sleeping.
    func coordinator(log: EventLog, waits: FenceCoordinatorTests.Sleeps = .init(), duringMsgwait: @escaping @Sendable () throws -> Void) -> FenceCoordinator {
        let sleep: @Sendable (Duration) async -> Void = { duration in
            await waits.sleep(duration)
            try? duringMsgwait()
        }
        let fence = PoisonPillFence(config: config, key: Self.key, localNode: "n1", sleep: sleep)
        return FenceCoordinator(config: config, localNode: "n1", events: log.sink, sleep: sleep, storageFence: fence)
    }

    @Test func aVictimThatReadsItsPillAndStopsIsFenced() async throws {
        defer { directory.remove() }
        let victim = try victimFile()
        defer { victim.close() }
        try victim.writeHeartbeat(Self.heartbeat(counter: 41))
        let log = EventLog()
        let seen = Mutex<ArbiterPoison?>(nil)
        let waits = FenceCoordinatorTests.Sleeps()
        let outcome = await coordinator(log: log, waits: waits) {
            // One cycle in progress adds a write, then its read finds the pill; nothing after.
            try victim.writeHeartbeat(Self.heartbeat(counter: 42))
            seen.withLock { $0 = try? victim.readMailbox(of: "n2").value }
        }.fence(node: "n2", reason: "peer lost", trigger: .automatic)
        #expect(outcome.succeeded, "\(outcome.detail)")
        // Success only after the whole msgwait (2 × watchdog_timeout 3 s), waited once.
        #expect(waits.all == [.seconds(6)])
        #expect(seen.withLock { $0 } == ArbiterPoison(target: "n2", targetIncarnation: Incarnation(7000), from: "n1",
                                                        wallClock: seen.withLock { $0?.wallClock } ?? 0))
        #expect(log.kinds() == ["fence.started", "fence.attempt", "arbiter.poison-written", "fence.attempt.succeeded",
                                "fence.confirmed", "fence.succeeded"])
        let written = log.events.first { $0.kind == .arbiterPoisonWritten }?.message ?? ""
        #expect(written.contains("run 7000") && written.contains("msgwait 6s"), "\(written)")
        #expect(log.events.contains { $0.kind == .fenceConfirmed && $0.message.contains("stopped at 42") })
    }

    @Test func aVictimWhoseHeartbeatGoesOnIsNotFenced() async throws {
        defer { directory.remove() }
        let victim = try victimFile()
        defer { victim.close() }
        try victim.writeHeartbeat(Self.heartbeat(counter: 10))
        let log = EventLog()
        let outcome = await coordinator(log: log) {
            for counter in 11...14 { try victim.writeHeartbeat(Self.heartbeat(counter: UInt64(counter))) }
        }.fence(node: "n2", reason: "peer lost", trigger: .automatic)
        #expect(!outcome.succeeded)
        #expect(outcome.detail.contains("still advances") && outcome.detail.contains("10 → 14"), "\(outcome.detail)")
    }

    @Test func aVictimThatStartedAgainIsFenced() async throws {
        defer { directory.remove() }
        let victim = try victimFile()
        defer { victim.close() }
        try victim.writeHeartbeat(Self.heartbeat(counter: 500))
        let log = EventLog()
        let outcome = await coordinator(log: log) {
            try victim.writeHeartbeat(Self.heartbeat(counter: 1, run: 9000))
            try victim.writeHeartbeat(Self.heartbeat(counter: 2, run: 9000))
        }.fence(node: "n2", reason: "peer lost", trigger: .automatic)
        #expect(outcome.succeeded, "\(outcome.detail)")
        #expect(log.events.contains { $0.kind == .fenceConfirmed && $0.message.contains("started again as run 9000") })
    }

    @Test func noHeartbeatNoPill() async throws {
        defer { directory.remove() }
        let log = EventLog()
        let outcome = await coordinator(log: log) {}.fence(node: "n2", reason: "peer lost", trigger: .automatic)
        #expect(!outcome.succeeded)
        #expect(outcome.detail.contains("n2 never wrote a disk heartbeat to \(config.storage.arbiterFile)"), "\(outcome.detail)")
        #expect(!log.kinds().contains("arbiter.poison-written"))
        #expect(try victimFile().readMailbox(of: "n2") == .empty)
    }

    @Test func aMissingStorageFailsTheDeviceAndItsMonitor() async throws {
        defer { directory.remove() }
        var config = config
        config.storage = StorageConfig(path: directory.file("not-mounted"))
        let fence = PoisonPillFence(config: config, key: Self.key, localNode: "n1")
        let log = EventLog()
        let outcome = await FenceCoordinator(config: config, localNode: "n1", events: log.sink, storageFence: fence)
            .fence(node: "n2", reason: "peer lost", trigger: .automatic)
        #expect(!outcome.succeeded)
        #expect(outcome.detail.contains("device nas (storage): writing the poison pill:"), "\(outcome.detail)")
        let monitor = FenceMonitor(fencing: config.fencing, storageFence: fence)
        await monitor.checkAll()
        let health = await monitor.health()
        #expect(health.map(\.state) == [.failing])
        #expect(health.first?.lastError?.contains("not-mounted") == true, "\(String(describing: health.first?.lastError))")
    }

    @Test func withoutAnArbiterFileTheDeviceFails() async throws {
        defer { directory.remove() }
        let outcome = await FenceCoordinator(config: config, localNode: "n1").fence(node: "n2", reason: "peer lost", trigger: .automatic)
        #expect(!outcome.succeeded)
        #expect(outcome.detail.contains("tie_breaker = \"storage\" is required"), "\(outcome.detail)")
    }
}
