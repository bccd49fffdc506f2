import ClusterHost
import ClusterCore
import Foundation
import Glibc
import Testing
@testable import Fencing

/// Agents that could be replaced by someone other than root are never run.
@Suite(.timeLimit(.minutes(1)))
struct AgentSafetyTests {
    let agents: ScriptedAgents
    init() throws { agents = try ScriptedAgents("safety") }

    @Test func aRootOwned0755AgentIsAccepted() throws {
        defer { agents.remove() }
        let path = try agents.add("fence_ok", body: "exit 0")
        #expect(try AgentExecutable(agent: "fence_ok", directory: agents.agentDir).path == path)
    }

    @Test(arguments: [mode_t(0o775), 0o757, 0o777])
    func aGroupOrWorldWritableAgentIsRefused(mode: mode_t) async throws {
        defer { agents.remove() }
        let path = try agents.add("fence_writable", body: "touch \"$dir/ran\"; exit 0")
        chmod(path, mode)
        #expect(throws: FenceError.unsafeAgent(path: path, reason: "the agent is writable by group or others (mode \(String(mode, radix: 8)))")) {
            _ = try AgentExecutable(agent: "fence_writable", directory: agents.agentDir)
        }
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        await #expect(throws: FenceError.self) {
            _ = try await runner.run(device: FenceDeviceConfig(name: "d", agent: "fence_writable"), action: .off,
                                     node: "n2", metadata: nil, timeout: .seconds(5))
        }
        #expect(agents.directory.read("ran") == nil, "a refused agent must not run")
    }

    @Test func anAgentNotOwnedByRootIsRefused() throws {
        defer { agents.remove() }
        let path = try agents.add("fence_nobody", body: "exit 0")
        chown(path, 65534, 65534)
        #expect(throws: FenceError.unsafeAgent(path: path, reason: "the agent is owned by uid 65534, expected root")) {
            _ = try AgentExecutable(agent: "fence_nobody", directory: agents.agentDir)
        }
    }

    @Test func aWritableAgentDirectoryIsRefused() throws {
        defer { agents.remove() }
        try agents.add("fence_ok", body: "exit 0")
        chmod(agents.agentDir, 0o777)
        #expect(throws: FenceError.self) {
            _ = try AgentExecutable(agent: "fence_ok", directory: agents.agentDir)
        }
    }

    @Test(arguments: ["../fence_x", "fence_a/b", "ipmitool", "fence_", "fence_..", ""])
    func namesOutsideTheAgentDirectoryAreRefused(name: String) {
        defer { agents.remove() }
        #expect(throws: FenceError.invalidAgentName(agent: name)) {
            _ = try AgentExecutable(agent: name, directory: "/usr/sbin")
        }
    }

    @Test func aMissingAgentIsReported() {
        defer { agents.remove() }
        #expect(throws: FenceError.agentNotFound(agent: "fence_does_not_exist", directory: "/usr/sbin")) {
            _ = try AgentExecutable(agent: "fence_does_not_exist", directory: "/usr/sbin")
        }
    }

    @Test func aSymlinkedAgentResolvesToItsTarget() throws {
        defer { agents.remove() }
        let real = try agents.add("fence_real", body: "exit 0")
        symlink("fence_real", agents.directory.file("fence_alias"))
        #expect(try AgentExecutable(agent: "fence_alias", directory: agents.agentDir).path == real)
    }
}
