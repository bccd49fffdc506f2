import Foundation
import Testing

/// The built `haclusterd` outside systemd: command line, node resolution, stderr
/// logging, control socket, SIGTERM.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DaemonCommandLineTests {
    static var binary: String { DaemonTestPaths.daemonBinary }

    @Test func checkConfigAcceptsAValidFile() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch)
        try config.write()
        let result = try DaemonTestCommand.run([Self.binary, "--config", config.configPath, "--check-config"])
        #expect(result.status == 0, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: config.controlSocket), "--check-config must not start the daemon")
    }

    /// `backend = "etcd"`: a valid file for --check-config. haclusterd hands it to haclusterd-etcd
    /// (DaemonEtcdTests runs that for real); without one beside it (nor where the package puts it),
    /// the daemon refuses at start: status 2, the file, the key and the missing program named,
    /// nothing started.
    @Test func etcdBackendWithoutTheEtcdDaemonIsRefused() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch)
        try config.write()
        let path = config.configPath
        let text = try String(contentsOfFile: path, encoding: .utf8).replacing("[cluster]\n", with: "[cluster]\nbackend = \"etcd\"\n")
            + "\n[etcd]\nendpoints = [\"http://198.18.0.5:2379\"]\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try DaemonTestCommand.run([Self.binary, "--config", path, "--check-config"])
        #expect(check.status == 0, "\(check)")
        // haclusterd alone in a directory of its own.
        let lone = scratch.appendingPathComponent("haclusterd").path
        try FileManager.default.copyItem(atPath: Self.binary, toPath: lone)
        guard !FileManager.default.fileExists(atPath: "/usr/libexec/haclusterd/haclusterd-etcd") else { return }
        let start = try DaemonTestCommand.run([lone, "--config", path])
        #expect(start.status == 2, "\(start)")
        #expect(start.stderr.contains(path) && start.stderr.contains("cluster.backend") && start.stderr.contains("haclusterd-etcd"),
                "names file, key and program: \(start.stderr)")
        #expect(!FileManager.default.fileExists(atPath: config.controlSocket), "started with backend = \"etcd\"")
    }

    @Test func checkConfigRejectsAnInvalidFileWithStatus2() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch)
        try config.write()
        let path = config.configPath
        // One mistake: a port out of range.
        let text = try String(contentsOfFile: path, encoding: .utf8).replacing("port = \(config.port)", with: "port = 70000")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        for arguments in [["--check-config"], []] {
            let result = try DaemonTestCommand.run([Self.binary, "--config", path] + arguments)
            #expect(result.status == 2, "\(arguments): \(result)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "one line on stderr: \(result.stderr)")
            #expect(result.stderr.contains(path) && result.stderr.contains("cluster.port"), "names file and key: \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: config.controlSocket), "started despite a bad configuration")
        }
        // The key file must be private (0600): the daemon checks the files the configuration names.
        chmod(config.keyPath, 0o644)
        try config.writeConfigOnly()
        let openKey = try DaemonTestCommand.run([Self.binary, "--config", path])
        #expect(openKey.status == 2 && openKey.stderr.contains(config.keyPath), "\(openKey)")
        let missing = try DaemonTestCommand.run([Self.binary, "--config", scratch.appendingPathComponent("nope.toml").path, "--check-config"])
        #expect(missing.status == 2, "\(missing)")
        #expect(missing.stderr.contains("nope.toml"))
    }

    @Test func aStateDirectoryOthersMayWriteIsRefused() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch)
        try config.write()
        mkdir(config.stateDirectory, 0o700)
        chmod(config.stateDirectory, 0o777)
        let result = try DaemonTestCommand.run([Self.binary, "--config", config.configPath])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("cluster.state_dir: \(config.stateDirectory) has mode 0777"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: config.controlSocket), "started despite an unsafe state directory")
    }

    @Test func unknownNodeIsRefusedWithTheKnownNodes() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch)
        try config.write()
        let result = try DaemonTestCommand.run([Self.binary, "--config", config.configPath, "--node", "ghost"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("ghost") && result.stderr.contains("known nodes: n1"), "\(result.stderr)")
    }

    @Test func noLocalAddressAndNoMatchingHostnameIsRefused() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // 198.18.255.254 is on no interface of the test machine; no node is named like the host.
        let config = DaemonTestConfig(directory: scratch, nodeName: "not-this-host-\(getpid())", nodeAddress: "198.18.255.254")
        try config.write()
        let result = try DaemonTestCommand.run([Self.binary, "--config", config.configPath])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("--node") && result.stderr.contains(config.nodeName), "\(result.stderr)")
    }

    /// Starts without --node (127.0.0.1 is local), logs to stderr, opens the socket
    /// (0660), refuses a second daemon on the same socket, exits 0 on SIGTERM and removes the socket.
    /// The local node is a witness: a full node needs its systemd manager (next test).
    @Test func startsOnItsLocalNodeAndStopsCleanlyOnSIGTERM() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch, localWitness: true)
        try config.write()
        let daemon = try DaemonTestCommand.Launched([Self.binary, "--config", config.configPath])
        defer { daemon.kill() }
        let ready = eventually(within: .seconds(20)) { daemon.stderr.contains(": ready") || !daemon.isRunning }
        #expect(ready && daemon.isRunning, "not ready: \(daemon.stderr)")

        // stderr: one line per message with level and node.
        let lines = daemon.stderr.split(separator: "\n")
        #expect(lines.contains { $0.contains("notice haclusterd[n1]: starting") }, "\(daemon.stderr)")
        #expect(lines.contains { $0.contains("warning haclusterd[n1]: fencing.enabled: running without fencing") && $0.hasSuffix("key=fencing.enabled") },
                "\(daemon.stderr)")
        #expect(lines.allSatisfy { $0.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trace|debug|info|notice|warning|error|critical) haclusterd\[n1\]: .*/#) != nil },
                "\(daemon.stderr)")

        let attributes = try FileManager.default.attributesOfItem(atPath: config.controlSocket)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)

        let second = try DaemonTestCommand.run([Self.binary, "--config", config.configPath, "--node", "n1"], timeout: .seconds(20))
        #expect(second.status == 1 && second.stderr.contains("already running"), "\(second)")
        #expect(FileManager.default.fileExists(atPath: config.controlSocket), "the second daemon removed the first one's socket")

        daemon.signal(SIGTERM)
        #expect(daemon.wait(upTo: .seconds(20)), "no exit within 20 s of SIGTERM")
        #expect(daemon.status == 0 && !daemon.terminatedBySignal, "exit status \(daemon.status)")
        #expect(!FileManager.default.fileExists(atPath: config.controlSocket), "control socket left behind")
        #expect(daemon.stderr.contains("received SIGTERM") && daemon.stderr.contains(": stopped"), "\(daemon.stderr)")
    }

    /// A full node must be able to ask its systemd manager whether the service's units
    /// still run from a previous run before it joins; without an answer it refuses to start.
    @Test func aFullNodeWithoutItsSystemdManagerRefusesToStart() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch)
        try config.write()
        let result = try DaemonTestCommand.run(
            [Self.binary, "--config", config.configPath],
            environment: ["XDG_RUNTIME_DIR": scratch.appendingPathComponent("no-manager").path, "DBUS_SESSION_BUS_ADDRESS": ""],
            timeout: .seconds(40))
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("cannot tell whether hacd-sdtest-demo.service runs here"), "\(result.stderr)")
    }

    @Test func aBadTestHookValueIsAConfigurationError() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch)
        try config.write()
        let result = try DaemonTestCommand.run(
            [Self.binary, "--config", config.configPath], environment: ["HACLUSTERD_TEST_READY_DELAY": "soon"])
        #expect(result.status == 2 && result.stderr.contains("HACLUSTERD_TEST_READY_DELAY"), "\(result)")
    }

    /// Half a redirection of the real self-fence would let a real reboot through: refused.
    @Test func halfARedirectedSelfFenceIsRefused() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "cl")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch)
        try config.write()
        let result = try DaemonTestCommand.run(
            [Self.binary, "--config", config.configPath],
            environment: ["HACLUSTERD_TEST_SYSRQ_TRIGGER": scratch.appendingPathComponent("trigger").path])
        #expect(result.status == 2 && result.stderr.contains("HACLUSTERD_TEST_SYSTEMCTL is unset"), "\(result)")
    }
}
