import ClusterHost
import ClusterCore
import Foundation
import Glibc
import Testing
@testable import Fencing

/// Debian's real `fence_kdump` on loopback: `off` succeeds when the crashed node's
/// kdump kernel announces itself (`fence_kdump_send`), and fails after `timeout` without it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct KdumpTests {
    static let sender = "/usr/libexec/fence-agents/fence_kdump_send"

    static func device(port: UInt16, timeout: Int) -> FenceDeviceConfig {
        // nodename is the address the kdump message must come from.
        FenceDeviceConfig(name: "kdump", agent: "fence_kdump", nodes: ["n2"],
                          options: ["nodename": "127.0.0.1", "ipport": "\(port)", "timeout": "\(timeout)"])
    }

    @Test func offSucceedsWhenTheNodeSendsItsKdumpMessage() async throws {
        let port = UInt16.random(in: 40001...50000)
        let fencing = FencingConfig(action: .reboot, timeout: .seconds(20), devices: [Self.device(port: port, timeout: 10)])
        let log = EventLog()
        let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", events: log.sink)
        async let outcome = coordinator.fence(node: "n2", reason: "test", trigger: .manual)
        // The crashed node's kdump kernel, announcing itself until the agent has heard it.
        let sender = try TestProcess(Self.sender, ["-p", "\(port)", "-c", "0", "-i", "1", "127.0.0.1"])
        let result = await outcome
        sender.kill()
        #expect(result.succeeded, "\(result.detail)")
        // fence_kdump has no reboot (off is used) and no status (nothing to confirm).
        #expect(log.events.contains { $0.kind == .fenceAttempt && $0.message.contains(": off n2") })
        #expect(!log.kinds().contains("fence.confirmed"))
    }

    @Test func offFailsWithoutTheMessage() async throws {
        let port = UInt16.random(in: 50001...60000)
        let runner = FenceAgentRunner(agentDirectory: "/usr/sbin")
        let start = ContinuousClock.now
        await #expect(throws: FenceError.self) {
            _ = try await runner.perform(device: Self.device(port: port, timeout: 1), action: .off, node: "n2",
                                         metadata: nil, timeout: .seconds(10))
        }
        #expect(start.duration(to: .now) < .seconds(8))
    }
}
