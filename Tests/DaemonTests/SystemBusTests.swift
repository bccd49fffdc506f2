import Foundation
import Testing

/// A real systemd SYSTEM instance: `systemd --system` as PID 1 of its own PID namespace,
/// with its own dbus-daemon system bus, in private mount/UTS/IPC/network namespaces and its
/// own cgroup; started and stopped with `scripts/testlib/system-manager.sh` (DEVELOPERS.md).
/// Inside it `/run/dbus/system_bus_socket` is that instance's bus, so `sd_bus_open_system`
/// of a process started there reaches it exactly as on a production node.
final class SystemBusInstance: SystemdTestInstance {
    let directory: URL
    let tag: String
    /// Variables printed by the harness (HACD_SM_PID, DBUS_SYSTEM_BUS_ADDRESS, ...).
    let environment: [String: String]
    /// How long the instance took to boot (start of the script to bus up).
    let bootTime: Duration
    private var stopped = false

    static var script: String {
        DaemonTestPaths.packageRoot.appendingPathComponent("scripts/testlib/system-manager.sh").path
    }

    var unitDirectory: URL { URL(fileURLWithPath: environment["HACD_SM_UNIT_DIR"]!) }

    /// `writable`: host directories the instance's units may write (/ is read-only inside).
    init(directory: URL, tag: String, writable: [URL]) throws {
        self.directory = directory
        self.tag = tag
        let clock = ContinuousClock()
        let begin = clock.now
        let started = try DaemonTestCommand.run(
            [Self.script, "start", directory.path, tag],
            environment: ["HACD_SM_JOURNALD": "1", "HACD_SM_WRITABLE": writable.map(\.path).joined(separator: ":")],
            timeout: .seconds(60))
        bootTime = clock.now - begin
        guard started.status == 0 else {
            _ = try? DaemonTestCommand.run([Self.script, "stop", directory.path, tag], timeout: .seconds(40))
            throw DaemonTestFailure("systemd system instance did not start: \(started)")
        }
        var values: [String: String] = [:]
        for line in started.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        environment = values
        guard values["HACD_SM_PID"] != nil, values["HACD_SM_UNIT_DIR"] != nil else {
            throw DaemonTestFailure("system instance harness printed no environment: \(started)")
        }
    }

    /// `systemctl ARGS` inside the instance (as root: over its /run/systemd/private).
    @discardableResult
    func systemctl(_ arguments: [String], timeout: Duration = .seconds(30)) throws -> DaemonTestCommand.Result {
        try DaemonTestCommand.run([Self.script, "systemctl", directory.path] + arguments, timeout: timeout)
    }

    /// A command in the instance's mount and PID namespaces (its /run, its PIDs).
    func inside(_ arguments: [String], timeout: Duration = .seconds(20)) throws -> DaemonTestCommand.Result {
        try DaemonTestCommand.run([Self.script, "exec", directory.path] + arguments, timeout: timeout)
    }

    func show(_ unit: String, _ properties: [String]) throws -> [String: String] {
        let result = try systemctl(["show", unit] + properties.flatMap { ["-p", $0] }, timeout: .seconds(10))
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }

    func activeState(_ unit: String) throws -> String { try show(unit, ["ActiveState"])["ActiveState"] ?? "?" }

    /// The last lines of the instance's journal (PID 1, dbus, units), for failure messages.
    func journalText(lines: Int = 80) -> String {
        let result = try? inside(["journalctl", "--no-pager", "-o", "short-precise", "-n", "\(lines)"])
        return result?.stdout ?? "(no journal)"
    }

    /// Powers the instance off (its units are stopped), then removes its cgroup. Idempotent.
    func stop() {
        guard !stopped else { return }
        stopped = true
        _ = try? DaemonTestCommand.run([Self.script, "stop", directory.path, tag], timeout: .seconds(40))
    }

    deinit { stop() }
}

/// haclusterd with `systemd_bus = "system"` (the production setting) as `haclusterd.service`
/// of a REAL systemd system instance: `sd_bus_open_system` reaches that instance's
/// dbus-daemon at /run/dbus/system_bus_socket, and through it PID 1, which starts and stops
/// the managed unit.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SystemBusTests {
    static let daemonUnit = "haclusterd.service"
    static let demoUnit = "hacd-demo.service"

    /// A single-node configuration with `systemd_bus = "system"`.
    static func systemBusConfig(in scratch: URL) throws -> DaemonTestConfig {
        let config = DaemonTestConfig(directory: scratch.appendingPathComponent("node"), clusterName: "sysbus")
        try config.write(serviceUnit: demoUnit)
        let text = try String(contentsOfFile: config.configPath, encoding: .utf8)
        let userBus = "systemd_bus = \"user\""
        try #require(text.contains(userBus), "DaemonTestConfig no longer writes \(userBus)")
        try text.replacingOccurrences(of: userBus, with: "systemd_bus = \"system\"")
            .write(toFile: config.configPath, atomically: true, encoding: .utf8)
        chmod(config.configPath, 0o644)
        return config
    }

    /// The shipped unit as `haclusterd.service`, `ExecStart=` pointing at the built binary.
    static func installDaemon(_ instance: SystemBusInstance, config: DaemonTestConfig, extraDropIn: String = "") throws {
        let shipped = try String(contentsOfFile: DaemonTestPaths.shippedUnit, encoding: .utf8)
        try instance.writeUnit(named: daemonUnit, contents: shipped, dropIn: """
            [Service]
            ExecStart=
            ExecStart=\(DaemonTestPaths.daemonBinary) --config \(config.configPath) --node \(config.nodeName)
            # Self-fencing in a test must not reboot anything: it only exits (status 70).
            Environment=HACLUSTERD_TEST_SELF_FENCE_COMMAND=
            LimitCORE=0
            # The shipped sandbox stays; the test's files live in a scratch directory under /tmp,
            # writable as an operator makes the shared storage writable (ReadWritePaths=).
            PrivateTmp=no
            ReadWritePaths=\(config.directory.deletingLastPathComponent().path)
            ExecStopPost=/bin/sh -c 'echo "$SERVICE_RESULT $EXIT_CODE $EXIT_STATUS" > \(config.directory.path)/exit'
            \(extraDropIn)
            """)
        try instance.writeUnit(named: demoUnit, contents: """
            [Unit]
            Description=service managed by haclusterd (system bus test)
            [Service]
            ExecStart=/bin/sleep 600
            """)
    }

    /// Unique names on the instance's system bus and the PID (in the instance) of each.
    static func busPeers(_ instance: SystemBusInstance) throws -> [(name: String, pid: String)] {
        let listed = try instance.inside(["busctl", "--system", "--no-pager", "--no-legend", "--unique", "list"])
        return listed.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 2 ? (String(fields[0]), String(fields[1])) : nil
        }
    }

    @Test("systemd_bus = \"system\": the daemon, a unit of a real system instance, starts, stops and restarts its unit over the system bus")
    func daemonManagesAUnitOfTheSystemInstance() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "sysbus")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = try Self.systemBusConfig(in: scratch)
        let instance = try SystemBusInstance(
            directory: scratch.appendingPathComponent("sm"), tag: "sysbus\(getpid())", writable: [config.directory])
        defer { instance.stop() }
        print("system instance booted in \(millis(instance.bootTime))")
        try Self.installDaemon(instance, config: config)

        let clock = ContinuousClock()
        let begin = clock.now
        let started = try instance.systemctl(["start", Self.daemonUnit], timeout: .seconds(60))
        try #require(started.status == 0, "\(started)\n\(instance.journalText())")
        let running = eventually(within: .seconds(20), every: .milliseconds(100)) {
            (DaemonServiceTests.service(config)?["state"] as? String) == "started"
        }
        try #require(running, "service not started: \(String(describing: DaemonServiceTests.status(config)))\n\(instance.journalText())")
        print("daemon start to service started: \(millis(clock.now - begin))")
        // The shipped unit's whole sandbox applies here (a system instance): the daemon still
        // logs to the journal, says how its loop is scheduled, and keeps what it needs.
        let logged = try instance.inside(["journalctl", "--no-pager", "-o", "cat", "SYSLOG_IDENTIFIER=haclusterd"]).stdout
        #expect(logged.contains("ready"), "no 'ready' entry of haclusterd in the journal:\n\(instance.journalText())")
        #expect(logged.contains("event loop runs at SCHED_RR priority 50") || logged.contains("cannot run the event loop at SCHED_RR 50"),
                "the real-time policy asked for by the unit is neither applied nor refused in the log:\n\(logged)")
        let mainPID = try instance.systemctl(["show", "-p", "MainPID", "--value", Self.daemonUnit]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let proc = try instance.inside(["cat", "/proc/\(mainPID)/status"]).stdout
        let bounding = proc.split(separator: "\n").first { $0.hasPrefix("CapBnd:") }.map { String($0.dropFirst("CapBnd:".count)).trimmingCharacters(in: .whitespaces) }
        // CAP_CHOWN 0, DAC_OVERRIDE 1, DAC_READ_SEARCH 2, FOWNER 3, NET_ADMIN 12, NET_RAW 13, SYS_BOOT 22, SYS_NICE 23.
        #expect(bounding == "0000000000c0300f", "capability bounding set \(bounding ?? "?"), expected the unit's eight")
        #expect(proc.contains("NoNewPrivs:\t1"), "NoNewPrivileges not applied")
        // The self-fence writes /proc/sysrq-trigger: the sandbox must leave it as writable as the
        // machine has it (ProtectKernelTunables= would make it read-only; a container may already).
        let outside = try instance.inside(["test", "-w", "/proc/sysrq-trigger"])
        let sysrq = try instance.inside(["nsenter", "-t", mainPID, "-m", "--", "test", "-w", "/proc/sysrq-trigger"])
        #expect(sysrq.status == outside.status, "/proc/sysrq-trigger: writable outside \(outside.status == 0), in the daemon's sandbox \(sysrq.status == 0)")
        let usr = try instance.inside(["nsenter", "-t", mainPID, "-m", "--", "touch", "/usr/haclusterd-sandbox-probe"])
        #expect(usr.status != 0, "/usr is writable in the daemon's sandbox (ProtectSystem=strict not applied)")

        // The unit runs as a unit of THIS instance: started by its PID 1 (a job of the
        // instance, in its system.slice), its process in the instance's PID namespace.
        let demo = try instance.show(Self.demoUnit, ["ActiveState", "SubState", "MainPID", "ControlGroup", "InvocationID"])
        try #require(demo["ActiveState"] == "active" && demo["SubState"] == "running",
                     "\(Self.demoUnit) is not running in this instance: \(demo)\n\(instance.journalText())")
        #expect(demo["ControlGroup"]?.hasSuffix("/system.slice/\(Self.demoUnit)") == true, "\(demo)")
        let demoPID = demo["MainPID"] ?? "0"
        let demoCommand = try instance.inside(["cat", "/proc/\(demoPID)/cmdline"])
        #expect(demoCommand.stdout.replacingOccurrences(of: "\0", with: " ").hasPrefix("/bin/sleep 600"),
                "MainPID \(demoPID) of \(Self.demoUnit) in the instance: \(demoCommand)")
        // STATUS= follows the runtime every 250 ms: it may trail `hactl status` a little.
        var statusText = ""
        let statusShown = try eventually(within: .seconds(3), every: .milliseconds(100)) {
            statusText = try instance.show(Self.daemonUnit, ["StatusText"])["StatusText"] ?? ""
            return statusText == "active demo; leader n1; quorate 1/1"
        }
        #expect(statusShown, "StatusText '\(statusText)'")

        // The daemon is a client of the instance's system bus (dbus-daemon), not of PID 1's
        // private socket: its MainPID owns a unique name on /run/dbus/system_bus_socket.
        let daemonPID = try instance.show(Self.daemonUnit, ["MainPID"])["MainPID"] ?? "0"
        let peers = try Self.busPeers(instance)
        #expect(peers.contains { $0.pid == daemonPID }, "haclusterd (PID \(daemonPID) in the instance) is not on the system bus: \(peers)")

        // hactl disable / enable: StopUnit and StartUnit over the system bus.
        let disable = try DaemonServiceTests.hactl(config, ["disable"])
        #expect(disable.status == 0, "\(disable)")
        let stopped = try eventually(within: .seconds(10), every: .milliseconds(100)) {
            try instance.activeState(Self.demoUnit) == "inactive"
        }
        #expect(stopped, "\(Self.demoUnit) still runs after disable\n\(instance.journalText())")
        let enable = try DaemonServiceTests.hactl(config, ["enable"])
        #expect(enable.status == 0, "\(enable)")
        let restarted = try eventually(within: .seconds(10), every: .milliseconds(100)) {
            try instance.activeState(Self.demoUnit) == "active"
        }
        #expect(restarted, "\(Self.demoUnit) not started again after enable\n\(instance.journalText())")
        #expect(eventually(within: .seconds(5)) { (DaemonServiceTests.service(config)?["state"] as? String) == "started" })

        // The unit dies: the daemon hears it through the bus's signals (PropertiesChanged,
        // delivered by dbus-daemon under the system bus policy) and starts it again.
        let before = try instance.show(Self.demoUnit, ["InvocationID"])["InvocationID"] ?? ""
        let killed = try instance.systemctl(["kill", "--signal=KILL", Self.demoUnit])
        #expect(killed.status == 0, "\(killed)")
        let counted = eventually(within: .seconds(20), every: .milliseconds(200)) {
            let service = DaemonServiceTests.service(config)
            let failures = (service?["failures"] as? [String: Any])?["n1"] as? Int
            return failures == 1 && (service?["state"] as? String) == "started"
        }
        #expect(counted, "failure not seen or unit not restarted: \(String(describing: DaemonServiceTests.service(config)))\n\(instance.journalText())")
        let after = try instance.show(Self.demoUnit, ["ActiveState", "InvocationID"])
        #expect(after["ActiveState"] == "active" && after["InvocationID"] != before, "\(after), before \(before)")

        // systemctl stop haclusterd: release (unit stopped), then exit 0.
        let stop = try instance.systemctl(["stop", Self.daemonUnit], timeout: .seconds(60))
        #expect(stop.status == 0, "\(stop)")
        #expect(DaemonUnderSystemdTests.recordedExit(config) == "success exited 0", "\(instance.journalText())")
        #expect(try instance.activeState(Self.demoUnit) == "inactive", "the daemon exited and left \(Self.demoUnit) running")
    }

    /// The positive test above cannot pass some other way: without the system bus (dbus
    /// stopped in the instance, PID 1 itself still answering on /run/systemd/private) the
    /// daemon cannot tell whether its unit runs, so it refuses to start and starts nothing.
    @Test("without the instance's system bus the daemon refuses to start and starts nothing")
    func noSystemBusNoStart() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "sysbusx")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = try Self.systemBusConfig(in: scratch)
        let instance = try SystemBusInstance(
            directory: scratch.appendingPathComponent("sm"), tag: "sysbusx\(getpid())", writable: [config.directory])
        defer { instance.stop() }
        try Self.installDaemon(instance, config: config, extraDropIn: "Restart=no")
        let busDown = try instance.systemctl(["stop", "dbus.socket", "dbus.service"])
        try #require(busDown.status == 0, "\(busDown)")
        let probe = try instance.inside(["busctl", "--system", "--no-pager", "list"], timeout: .seconds(10))
        #expect(probe.status != 0, "the system bus still answers: \(probe)")
        let pid1 = try instance.systemctl(["show", "-p", "Version"])
        #expect(pid1.status == 0 && pid1.stdout.hasPrefix("Version="), "PID 1 does not answer on its private socket: \(pid1)")

        let started = try instance.systemctl(["start", Self.daemonUnit], timeout: .seconds(60))
        #expect(started.status != 0, "the daemon started without a system bus: \(started)")
        let exit = DaemonUnderSystemdTests.recordedExit(config)
        #expect(exit == "exit-code exited 1", "daemon ended with '\(exit)'\n\(instance.journalText())")
        #expect(try instance.activeState(Self.demoUnit) == "inactive")
        let journal = try instance.inside(["journalctl", "--no-pager", "-o", "cat", "SYSLOG_IDENTIFIER=haclusterd"]).stdout
        #expect(journal.contains("system bus"), "the daemon did not say it could not reach the system bus:\n\(journal)")
    }
}
