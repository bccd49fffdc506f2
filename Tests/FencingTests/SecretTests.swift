import ClusterHost
import ClusterCore
import Foundation
import Glibc
import Testing
@testable import Fencing

/// `password_file` contents reach the agent on stdin only: never argv, environment,
/// captured output, errors or events.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SecretTests {
    @Test func theSecretGoesOnlyToStdin() async throws {
        let agents = try ScriptedAgents("secret")
        defer { agents.remove() }
        let secret = "pw-\(UUID().uuidString)"
        let passwordFile = try agents.directory.write("device.pass", secret + "\n", mode: 0o600)
        // The agent echoes what it got on stderr (as verbose agents do), stays alive a
        // moment so the test can look at /proc, then fails with the secret in its message.
        try agents.add("fence_leaky", body: """
            echo $$ >"$dir/pid"
            echo "verbose: password=$opt_password" >&2
            echo "Status of $opt_password" 
            sleep 1.5
            echo "Failed: login as admin/$opt_password refused" >&2
            exit 1
            """)
        let device = FenceDeviceConfig(name: "leaky", agent: "fence_leaky", nodes: ["n2"], passwordFile: passwordFile)
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, timeout: .seconds(20), devices: [device])
        let log = EventLog()
        let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", events: log.sink,
                                           sleep: { _ in })

        async let outcome = coordinator.fence(node: "n2", reason: "secret test", trigger: .manual)
        #expect(await eventually { agents.directory.read("pid") != nil })
        let pid = try #require(Int32(agents.directory.read("pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        // While the agent runs: no command line on the machine carries the secret,
        // and the agent's environment is exactly the scrubbed one.
        #expect(ProcessProbe.commandLinesContaining(secret).isEmpty)
        #expect(ProcessProbe.environment(of: pid) == ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"])
        let result = await outcome

        #expect(agents.stdin("fence_leaky").contains("password=\(secret)\n"), "the agent must get it on stdin")
        #expect(!result.succeeded)
        #expect(!result.detail.contains(secret))
        #expect(result.detail.contains(SecretRedactor.mask), "the failure names what the agent said, redacted: \(result.detail)")
        #expect(!log.events.isEmpty)
        for event in log.events {
            #expect(!event.message.contains(secret), "event \(event.kind) leaks the secret")
        }

        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        let run = try await runner.run(device: device, action: .off, node: "n2", metadata: nil, timeout: .seconds(10))
        #expect(!run.stderr.contains(secret) && !run.stdout.contains(secret))
        #expect(run.stderr.contains("password=\(SecretRedactor.mask)"))
        let error = await #expect(throws: FenceError.self) {
            _ = try await runner.perform(device: device, action: .off, node: "n2", metadata: nil, timeout: .seconds(10))
        }
        #expect(error?.description.contains(secret) == false)
        #expect(error?.description.contains(SecretRedactor.mask) == true)
    }

    @Test func redactorMasksEverySecretLongestFirst() {
        let redactor = SecretRedactor(secrets: ["abc", "abcdef", "x"])
        #expect(redactor.redact("abcdef and abc and x") == "[redacted] and [redacted] and x")
    }
}

/// `password_file` must be private to root, like the cluster key.
@Suite struct PasswordFileTests {
    @Test func aWorldReadablePasswordFileIsRefusedBeforeTheAgentRuns() async throws {
        let agents = try ScriptedAgents("pwfile")
        defer { agents.remove() }
        try agents.add("fence_any", body: "exit 0")
        let file = try agents.directory.write("open.pass", "secret-value", mode: 0o644)
        let device = FenceDeviceConfig(name: "d", agent: "fence_any", nodes: ["n2"], passwordFile: file)
        let runner = FenceAgentRunner(agentDirectory: agents.agentDir)
        await #expect(throws: FenceError.passwordFile(device: "d", .insecureMode(path: file, mode: 0o644))) {
            _ = try await runner.run(device: device, action: .off, node: "n2", metadata: nil, timeout: .seconds(5))
        }
        #expect(agents.calls("fence_any").isEmpty)
    }
}
