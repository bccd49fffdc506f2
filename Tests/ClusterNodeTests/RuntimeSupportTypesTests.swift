@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Testing
@testable import ClusterCore

@Suite struct RuntimeSupportTypesTests {
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
