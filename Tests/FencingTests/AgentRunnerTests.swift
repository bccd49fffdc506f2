import ClusterHost
import ClusterCore
import Foundation
import Glibc
import Testing
@testable import Fencing

/// The agent runner against scripted bash agents: protocol, timeouts, output bounds, exit codes.
@Suite(.timeLimit(.minutes(2)))
struct AgentRunnerTests {
    let agents: ScriptedAgents
    init() throws { agents = try ScriptedAgents("runner") }

    func device(_ agent: String, options: [String: String] = [:], passwordFile: String? = nil) -> FenceDeviceConfig {
        FenceDeviceConfig(name: "dev-\(agent)", agent: agent, nodes: ["n2"], hostMap: ["n2": "plug-7"],
                          options: options, passwordFile: passwordFile)
    }

    @Test func sendsOptionsOnStdinWithNoArgumentsAndAScrubbedEnvironment() async throws {
        defer { agents.remove() }
        try agents.add("fence_echo", body: """
            echo "argc=$#"
            tr '\\0' '\\n' </proc/$$/environ | sort >"$dir/env"
            ls /proc/$$/fd >"$dir/fds.raw"
            sort -n "$dir/fds.raw" | tr '\\n' ' ' >"$dir/fds"
            echo "pgid=$(ps -o pgid= -p $$ | tr -d ' ') pid=$$" >"$dir/ids"
            exit 0
            """)
        // A descriptor without FD_CLOEXEC, as a daemon may hold: the agent must not inherit it.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        let metadata = try await runner.metadata(agent: "fence_echo")
        let run = try await runner.perform(device: device("fence_echo", options: ["ip": "10.0.0.1"]), action: .off,
                                           node: "n2", metadata: metadata, timeout: .seconds(10))
        #expect(run.stdout == "argc=0\n")
        #expect(agents.stdin("fence_echo") == "action=off\nnodename=n2\nport=plug-7\nip=10.0.0.1\n")
        let env = (agents.directory.read("env") ?? "").split(separator: "\n").map(String.init)
        // bash adds PWD, SHLVL and _ itself; everything else must come from us.
        #expect(env.filter { !$0.hasPrefix("PWD=") && !$0.hasPrefix("SHLVL=") && !$0.hasPrefix("_=") && !$0.hasPrefix("OLDPWD") }
                == ["LANG=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"])
        // bash's own fds are 0, 1, 2 and 255 (the script): nothing inherited from the test process.
        let fds = (agents.directory.read("fds") ?? "").split(separator: " ").compactMap { Int32($0) }
        #expect(!fds.isEmpty)
        #expect(!fds.contains(leaked))
        #expect(fds.filter { $0 > 2 && $0 != 255 }.isEmpty, "inherited descriptors: \(fds)")
        let ids = agents.directory.read("ids") ?? ""
        #expect(ids.contains("pgid=\(run.pid) pid=\(run.pid)"), "agent must lead its own process group: \(ids)")
    }

    @Test func hostArgumentFollowsTheAgentsMetadata() async throws {
        defer { agents.remove() }
        try agents.add("fence_plugonly", parameters: ["plug", "ip"], body: "exit 0")
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        let metadata = try await runner.metadata(agent: "fence_plugonly")
        #expect(metadata.hostArgument == "plug")
        _ = try await runner.perform(device: device("fence_plugonly"), action: .reboot, node: "n2", metadata: metadata,
                                     timeout: .seconds(10))
        #expect(agents.stdin("fence_plugonly") == "action=reboot\nnodename=n2\nplug=plug-7\n")
        // Targetless actions carry neither nodename nor plug.
        _ = try await runner.perform(device: device("fence_plugonly"), action: .monitor, node: "n2", metadata: metadata,
                                     timeout: .seconds(10))
        #expect(agents.stdin("fence_plugonly") == "action=monitor\n")
    }

    /// The agent forks a grandchild and both hang. After the timeout the whole process
    /// group must be gone, grandchild included.
    @Test func hangPastTimeoutKillsTheWholeProcessGroup() async throws {
        defer { agents.remove() }
        try agents.add("fence_hang", body: """
            sleep 300 &
            echo $! >"$dir/grandchild"
            echo $$ >"$dir/leader"
            sleep 300
            """)
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        let start = ContinuousClock.now
        await #expect(throws: FenceError.timedOut(device: "dev-fence_hang", agent: "fence_hang", action: .off,
                                                  after: .seconds(1))) {
            _ = try await runner.run(device: device("fence_hang"), action: .off, node: "n2", metadata: nil,
                                     timeout: .seconds(1))
        }
        let elapsed = start.duration(to: .now)
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(5), "took \(elapsed)")
        let grandchild = try #require(Int32(agents.directory.read("grandchild")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        let leader = try #require(Int32(agents.directory.read("leader")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(!ProcessProbe.isAlive(leader))
        #expect(await eventually(within: .seconds(2)) { !ProcessProbe.isAlive(grandchild) },
                "grandchild \(grandchild) survived the timeout")
    }

    /// Control for the test above: killing only the agent's PID (what a naive runner does)
    /// leaves the grandchild running, so the check above can fail.
    @Test func killingOnlyThePIDWouldLeakTheGrandchild() async throws {
        defer { agents.remove() }
        // `exec`: the agent's PID is the foreground sleep itself, so killing it leaves exactly one child.
        try agents.add("fence_hang", body: """
            sleep 300 &
            echo $! >"$dir/grandchild"
            exec sleep 300
            """)
        let input = try agents.directory.write("input", "action=off\n")
        let process = try TestProcess(agents.directory.file("fence_hang"), stdinFile: input)
        #expect(await eventually { agents.directory.read("grandchild") != nil })
        let grandchild = try #require(Int32(agents.directory.read("grandchild")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        process.kill()
        try await Task.sleep(for: .milliseconds(300))
        #expect(ProcessProbe.isAlive(grandchild), "the naive kill is expected to leak the grandchild")
        kill(grandchild, SIGKILL)  // we started it (through the script): clean up by PID
    }

    /// An agent that exits but leaves a child behind (holding stdout open): the run ends at
    /// once and the child is killed with the rest of the agent's process group.
    @Test func leftoversOfAnAgentThatExitedAreKilled() async throws {
        defer { agents.remove() }
        try agents.add("fence_leaves", body: """
            sleep 300 &
            echo $! >"$dir/leftover"
            echo 'Success: Powered OFF'
            exit 0
            """)
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        let run = try await runner.perform(device: device("fence_leaves"), action: .off, node: "n2", metadata: nil,
                                           timeout: .seconds(20))
        #expect(run.duration < .seconds(5))
        #expect(run.stdout == "Success: Powered OFF\n")
        let leftover = try #require(Int32(agents.directory.read("leftover")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(await eventually(within: .seconds(2)) { !ProcessProbe.isAlive(leftover) })
    }

    @Test func garbageMetadataIsBadOutput() async throws {
        defer { agents.remove() }
        try agents.directory.write("fence_garbage", """
            #!/bin/bash
            cat >/dev/null
            head -c 3000 /dev/urandom
            exit 0
            """, mode: 0o755)
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        let error = await #expect(throws: FenceError.self) {
            _ = try await runner.metadata(agent: "fence_garbage")
        }
        guard case .badOutput(_, let agent, let action, let reason)? = error else {
            Issue.record("unexpected error \(String(describing: error))"); return
        }
        #expect(agent == "fence_garbage" && action == .metadata && !reason.isEmpty)
    }

    @Test func outputIsBoundedAndTruncatedWithAMarker() async throws {
        defer { agents.remove() }
        // 1 MiB on each stream: more than the pipes hold, so an unread pipe would deadlock.
        try agents.add("fence_chatty", body: """
            head -c 1048576 /dev/zero | tr '\\0' 'o'
            head -c 1048576 /dev/zero | tr '\\0' 'e' >&2
            exit 0
            """)
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir, outputLimit: 64 * 1024)
        let run = try await runner.perform(device: device("fence_chatty"), action: .monitor, node: nil, metadata: nil,
                                           timeout: .seconds(20))
        #expect(run.stdout.hasSuffix(FenceAgentRunner.truncationMarker))
        #expect(run.stdout.utf8.count == 64 * 1024 + FenceAgentRunner.truncationMarker.utf8.count)
        #expect(run.stderr.utf8.count == 64 * 1024 + FenceAgentRunner.truncationMarker.utf8.count)
    }

    @Test(arguments: [Int32(255), 3, 1, 254])
    func unexpectedExitCodesAreFailures(code: Int32) async throws {
        defer { agents.remove() }
        try agents.add("fence_exit", body: "echo 'something broke' >&2; exit \(code)")
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        await #expect(throws: FenceError.exitStatus(device: "dev-fence_exit", agent: "fence_exit", action: .off,
                                                    code: code, stderrTail: "something broke")) {
            _ = try await runner.perform(device: device("fence_exit"), action: .off, node: "n2", metadata: nil,
                                         timeout: .seconds(10))
        }
    }

    @Test func statusExitCodesMapToPowerStates() async throws {
        defer { agents.remove() }
        try agents.add("fence_state", body: "exit $(cat \"$dir/state\")")
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        for (code, expected) in [(0, PowerStatus.on), (2, .off), (1, .unknown), (3, .unknown), (255, .unknown)] {
            try agents.directory.write("state", "\(code)")
            let run = try await runner.run(device: device("fence_state"), action: .status, node: "n2", metadata: nil,
                                           timeout: .seconds(10))
            #expect(run.powerStatus == expected, "exit \(code)")
            #expect(run.succeeded == (code == 0 || code == 2))
        }
    }

    @Test func slowSuccessWithinTheTimeoutSucceeds() async throws {
        defer { agents.remove() }
        try agents.add("fence_slow", body: "sleep 1.5; echo 'Success: Powered OFF'; exit 0")
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        let run = try await runner.perform(device: device("fence_slow"), action: .off, node: "n2", metadata: nil,
                                           timeout: .seconds(10))
        #expect(run.stdout == "Success: Powered OFF\n")
        #expect(run.duration >= .milliseconds(1500) && run.duration < .seconds(8))
    }
}
