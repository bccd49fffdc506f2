@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Testing
@testable import ClusterCore

@Suite struct RuntimeSupportTypesTests {
    private func event(_ index: Int) -> ClusterEvent {
        ClusterEvent(time: Double(index), node: "dss1", kind: "test.\(index)", message: "event \(index)")
    }

    @Test func recentEventsKeepTheNewestInOrder() {
        var events = RecentEvents(capacity: 3)
        #expect(events.recent().isEmpty)
        for index in 1...2 { events.append(event(index)) }
        #expect(events.recent().map(\.kind) == ["test.1", "test.2"])
        for index in 3...7 { events.append(event(index)) }
        #expect(events.recent().map(\.kind) == ["test.5", "test.6", "test.7"])
        #expect(events.recent(limit: 2).map(\.kind) == ["test.6", "test.7"])
        #expect(events.recent(limit: 10).count == 3)
        #expect(events.recent(limit: 0).isEmpty)
        #expect(events.totalAppended == 7)
    }

    @Test func loopHeartbeatIsAliveOnlyWhileBeating() {
        let heartbeat = LoopHeartbeat()
        let start = ContinuousClock.now
        #expect(!heartbeat.isAlive(within: .seconds(1), now: start), "not alive before the first beat")
        heartbeat.beat(at: start)
        #expect(heartbeat.isAlive(within: .seconds(1), now: start + .milliseconds(999)))
        #expect(!heartbeat.isAlive(within: .seconds(1), now: start + .milliseconds(1001)))
        heartbeat.beat(at: start + .seconds(5))
        #expect(heartbeat.isAlive(within: .seconds(1), now: start + .seconds(5) + .milliseconds(500)))
        #expect(heartbeat.iterationCount == 2)
    }

    @Test func aRunningRuntimeBeatsAndAStoppedOneDoesNot() async throws {
        let cluster = try LoopbackCluster.make(nodes: 2, hostBase: 141, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let runtime = try cluster.runtime(0, effects: RecordingEffects())
        try await runtime.start()
        let before = runtime.heartbeat.iterationCount
        try await Task.sleep(for: .milliseconds(300))
        #expect(runtime.heartbeat.iterationCount >= before + 3, "ticks come every 12.5 ms; a few in 300 ms even under load")
        #expect(runtime.heartbeat.isAlive(within: .milliseconds(200)))
        await runtime.stop()
        try await Task.sleep(for: .milliseconds(300))
        #expect(!runtime.heartbeat.isAlive(within: .milliseconds(200)), "the watchdog must see a stopped loop")
    }
}
