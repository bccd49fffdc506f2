import ClusterHost
import ClusterCore
import Foundation
import Testing
@testable import Fencing

/// Debian's real `fence_ipmilan` (through `ipmitool`) against OpenIPMI's `ipmi_sim` on
/// loopback. The simulated host is a process: power on starts it, off stops it, so the
/// tests check the power state on the process table, not only the agent's word.
/// `lanplus=0`: lanplus without `cipher=3` costs ~10 s per call.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct IPMILanTests {
    static func device(_ sim: IPMISimulator, passwordFile: String, timeout: String = "10") -> FenceDeviceConfig {
        FenceDeviceConfig(name: "ipmi-n2", agent: "fence_ipmilan", nodes: ["n2"],
                          options: ["ip": "127.0.0.1", "ipport": "\(sim.port)", "username": "admin", "lanplus": "0",
                                    "power_timeout": timeout],
                          passwordFile: passwordFile)
    }

    func withSimulator(_ body: (IPMISimulator, String) async throws -> Void) async throws {
        let sim = try IPMISimulator(password: "bmc-\(UInt32.random(in: 100_000...999_999))")
        defer { sim.stop() }
        try await sim.start()
        let passwordFile = try sim.directory.write("bmc.pass", sim.password + "\n", mode: 0o600)
        try await body(sim, passwordFile)
    }

    @Test func onStatusOffThroughTheCoordinator() async throws {
        try await withSimulator { sim, passwordFile in
            let device = Self.device(sim, passwordFile: passwordFile)
            let runner = FenceAgentRunner(agentDirectory: "/usr/sbin")
            let metadata = try await runner.metadata(agent: "fence_ipmilan")

            #expect(try await runner.run(device: device, action: .status, node: "n2", metadata: metadata,
                                         timeout: .seconds(30)).powerStatus == .off)
            _ = try await runner.perform(device: device, action: .on, node: "n2", metadata: metadata, timeout: .seconds(30))
            let host = try #require(sim.hostPID, "power on must start the host")
            #expect(try await runner.run(device: device, action: .status, node: "n2", metadata: metadata,
                                         timeout: .seconds(30)).powerStatus == .on)

            let log = EventLog()
            let fencing = FencingConfig(action: .off, timeout: .seconds(40), devices: [device])
            let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", events: log.sink)
            let outcome = await coordinator.fence(node: "n2", reason: "test", trigger: .manual)
            #expect(outcome.succeeded, "\(outcome.detail)")
            #expect(!ProcessProbe.isAlive(host), "the host process must be gone after off")
            #expect(sim.hostPID == nil)
            #expect(log.kinds().contains("fence.confirmed"))
            #expect(log.events.allSatisfy { !$0.message.contains(sim.password) })
        }
    }

    @Test func rebootPowerCyclesTheHost() async throws {
        try await withSimulator { sim, passwordFile in
            let device = Self.device(sim, passwordFile: passwordFile)
            let runner = FenceAgentRunner(agentDirectory: "/usr/sbin")
            _ = try await runner.perform(device: device, action: .on, node: "n2", metadata: nil, timeout: .seconds(30))
            let before = try #require(sim.hostPID)

            let fencing = FencingConfig(action: .reboot, timeout: .seconds(40), devices: [device])
            let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1")
            let outcome = await coordinator.fence(node: "n2", reason: "test", trigger: .manual)
            #expect(outcome.succeeded, "\(outcome.detail)")
            let after = try #require(sim.hostPID, "the host is on again after reboot")
            #expect(after != before)
            #expect(!ProcessProbe.isAlive(before))
            #expect(sim.powerLog == ["on", "off", "on"])
        }
    }

    @Test func monitorAndList() async throws {
        try await withSimulator { sim, passwordFile in
            let device = Self.device(sim, passwordFile: passwordFile)
            let runner = FenceAgentRunner(agentDirectory: "/usr/sbin")
            let monitor = try await runner.perform(device: device, action: .monitor, node: nil, metadata: nil,
                                                   timeout: .seconds(30))
            #expect(monitor.exitCode == 0)
            // A single-port agent: list answers but has nothing to list.
            let list = try await runner.perform(device: device, action: .list, node: nil, metadata: nil,
                                                timeout: .seconds(30))
            #expect(list.stdout.contains("N/A") || list.stdout.contains("List option is not working"))
            let health = FenceMonitor(fencing: FencingConfig(devices: [device]))
            await health.checkAll()
            #expect(await health.health().first?.state == .ok)
        }
    }

    @Test func wrongPasswordFailsWithoutLeakingIt() async throws {
        try await withSimulator { sim, _ in
            let wrong = "wrong-\(UInt32.random(in: 100_000...999_999))"
            let wrongFile = try sim.directory.write("wrong.pass", wrong, mode: 0o600)
            let device = Self.device(sim, passwordFile: wrongFile)
            let runner = FenceAgentRunner(agentDirectory: "/usr/sbin")
            let error = await #expect(throws: FenceError.self) {
                _ = try await runner.perform(device: device, action: .status, node: "n2", metadata: nil,
                                             timeout: .seconds(30))
            }
            guard case .exitStatus(_, _, .status, let code, _)? = error else {
                Issue.record("unexpected error \(String(describing: error))"); return
            }
            #expect(code == 1)
            #expect(error?.description.contains(wrong) == false)
        }
    }

    @Test func bmcDownFailsFencingAndTheMonitorWarns() async throws {
        try await withSimulator { sim, passwordFile in
            let device = Self.device(sim, passwordFile: passwordFile)
            sim.stopBMC()
            let log = EventLog()
            let monitor = FenceMonitor(fencing: FencingConfig(timeout: .seconds(30), devices: [device]), events: log.sink)
            await monitor.checkAll()
            #expect(await monitor.health().first?.state == .failing)
            #expect(log.kinds() == ["fence.device.failing"])

            let fencing = FencingConfig(action: .off, timeout: .seconds(12), devices: [device])
            let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1")
            let outcome = await coordinator.fence(node: "n2", reason: "test", trigger: .manual)
            #expect(!outcome.succeeded)
            #expect(outcome.detail.contains("ipmi-n2"))
        }
    }
}
