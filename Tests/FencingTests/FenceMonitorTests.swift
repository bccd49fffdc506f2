import ClusterHost
import ClusterCore
import Foundation
import Testing
@testable import Fencing

/// Periodic `monitor` of devices: health per device and a warning when one starts failing.
@Suite(.timeLimit(.minutes(1)))
struct FenceMonitorTests {
    @Test func aDeviceThatStartsFailingRaisesOneWarningAndRecovers() async throws {
        let agents = try ScriptedAgents("monitor")
        defer { agents.remove() }
        try agents.add("fence_flaky", body: """
            [[ -e "$dir/broken" ]] && { echo 'Failed: Unable to connect/login to fencing device' >&2; exit 1; }
            exit 0
            """)
        try agents.add("fence_steady", body: "exit 0")
        let fencing = FencingConfig(agentDir: agents.agentDir, timeout: .seconds(10), devices: [
            FenceDeviceConfig(name: "flaky", agent: "fence_flaky", nodes: ["n1"]),
            FenceDeviceConfig(name: "steady", agent: "fence_steady", nodes: ["n2"]),
        ])
        let log = EventLog()
        let monitor = FenceMonitor(fencing: fencing, events: log.sink)
        #expect(await monitor.health().map(\.state) == [.unknown, .unknown])

        await monitor.checkAll()
        #expect(await monitor.health().map(\.state) == [.ok, .ok])
        #expect(log.events.isEmpty)

        try agents.directory.write("broken", "")
        await monitor.checkAll()
        await monitor.checkAll()
        let failing = try #require(await monitor.health().first)
        #expect(failing.state == .failing && failing.consecutiveFailures == 2)
        #expect(failing.failingSince != nil)
        #expect(failing.lastError?.contains("Unable to connect") == true)
        #expect(log.kinds() == ["fence.device.failing"], "one warning per failing streak")
        #expect(log.events.first?.severity == .warning)
        #expect(await monitor.health()[1].state == .ok)

        try FileManager.default.removeItem(atPath: agents.directory.file("broken"))
        await monitor.checkAll()
        #expect(await monitor.health().first?.state == .ok)
        #expect(await monitor.health().first?.failingSince == nil)
        #expect(log.kinds() == ["fence.device.failing", "fence.device.recovered"])
        #expect(agents.calls("fence_flaky").filter { $0 == "monitor" }.count == 4)
    }

    /// The daemon gives the fencer and the monitor one cache: the monitor's first check (at start)
    /// runs the agent's `metadata`, so a takeover's fence runs only the action and its confirmation.
    @Test func aCacheSharedWithTheFencerLeavesTheFenceOnlyItsActionAndStatus() async throws {
        let agents = try ScriptedAgents("shared-metadata")
        defer { agents.remove() }
        try agents.add("fence_good", body: ScriptedAgents.powerSwitch)
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, timeout: .seconds(10), devices: [
            FenceDeviceConfig(name: "bmc", agent: "fence_good", nodes: ["n2"]),
        ])
        let cache = AgentMetadataCache(runner: FenceAgentRunner(agentDirectory: agents.agentDir))
        await FenceMonitor(fencing: fencing, metadataCache: cache).checkAll()
        #expect(agents.calls("fence_good") == ["metadata", "monitor"])
        let fencer = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", metadataCache: cache)
        #expect(await fencer.fence(node: "n2", reason: "peer lost", trigger: .manual).succeeded)
        #expect(agents.calls("fence_good") == ["metadata", "monitor", "off", "status"])
    }

    @Test func healthEncodesForHactlStatus() throws {
        let health = DeviceHealth(device: "ipmi-n1", agent: "fence_ipmilan", state: .failing, failingSince: 1.5,
                                  lastError: "timed out", lastCheck: 2.5, consecutiveFailures: 3)
        let json = String(decoding: try JSONEncoder().encode(health), as: UTF8.self)
        #expect(json.contains("\"state\":\"failing\""))
        #expect(try JSONDecoder().decode(DeviceHealth.self, from: Data(json.utf8)) == health)
    }
}
