import Foundation
import Testing

/// The production self-fence, run for real by the daemon up to its last syscall: a unit
/// that will not stop makes the release fail, and the daemon writes its sysrq key and
/// runs `systemctl reboot --force --force`. The two outputs are redirected by the
/// test-only variables `HACLUSTERD_TEST_SYSRQ_TRIGGER` (a file the test reads back) and
/// `HACLUSTERD_TEST_SYSTEMCTL` (a script that records its arguments); nothing in the
/// configuration selects them (`systemd_bus = "user"` self-fences like any node).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SelfFenceTests {
    @Test("a stop that times out makes the daemon write 'b' to the sysrq trigger, then run systemctl reboot --force --force, then die")
    func releaseFailureRunsTheRealSelfFence() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "sfence")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let trigger = scratch.appendingPathComponent("sysrq-trigger").path
        let recorded = scratch.appendingPathComponent("systemctl.args").path
        let systemctl = scratch.appendingPathComponent("systemctl").path
        // The trigger exists, as /proc/sysrq-trigger does: the daemon opens it O_WRONLY, no O_CREAT.
        #expect(FileManager.default.createFile(atPath: trigger, contents: Data()))
        try "#!/bin/sh\necho \"$*\" >> \(recorded)\n".write(toFile: systemctl, atomically: true, encoding: .utf8)
        chmod(systemctl, 0o755)

        let demoUnit = "hacd-sf-\(getpid())-demo.service"
        let config = DaemonTestConfig(directory: scratch.appendingPathComponent("node"))
        try config.write(serviceUnit: demoUnit, stopTimeout: "1s")
        let manager = try DaemonTestManager(directory: scratch.appendingPathComponent("um"), tag: "sf\(getpid())")
        defer { manager.stop() }
        // SIGTERM is ignored and the stop waits far longer than the daemon's stop_timeout.
        try manager.writeUnit(named: demoUnit, contents: """
            [Unit]
            Description=a service that will not stop (test)
            [Service]
            ExecStart=/bin/sh -c 'trap "" TERM; while :; do sleep 1; done'
            TimeoutStopSec=60
            """)
        let unit = "hacd-sf-\(getpid()).service"
        try DaemonUnderSystemdTests.installDaemonUnit(manager, name: unit, config: config, extraDropIn: """
            Environment=HACLUSTERD_TEST_SELF_FENCE_COMMAND=
            UnsetEnvironment=HACLUSTERD_TEST_SELF_FENCE_COMMAND
            Environment=HACLUSTERD_TEST_SYSRQ_TRIGGER=\(trigger)
            Environment=HACLUSTERD_TEST_SYSTEMCTL=\(systemctl)
            Restart=no
            """)
        let started = try manager.systemctl(["start", unit], timeout: .seconds(30))
        try #require(started.status == 0, "\(started)\n\(manager.journalText())")
        let running = eventually(within: .seconds(20), every: .milliseconds(200)) {
            (DaemonServiceTests.service(config)?["state"] as? String) == "started"
        }
        try #require(running, "service not started: \(String(describing: DaemonServiceTests.status(config)))\n\(manager.journalText())")
        let journal = manager.journalText()
        #expect(journal.contains("HACLUSTERD_TEST_SYSRQ_TRIGGER is set"), "the daemon did not announce the test hook at start:\n\(journal)")

        // Release: the unit does not stop within 1 s, so the node must go down.
        let disable = try DaemonServiceTests.hactl(config, ["disable"])
        #expect(disable.status == 0, "\(disable)")
        let wrote = eventually(within: .seconds(15), every: .milliseconds(100)) {
            (try? String(contentsOfFile: trigger, encoding: .utf8)) == "b"
        }
        #expect(wrote, "sysrq trigger holds '\((try? String(contentsOfFile: trigger, encoding: .utf8)) ?? "")'\n\(manager.journalText())")
        // Still alive after the sysrq key (a file does not reboot anything): the fallback.
        let fellBack = eventually(within: .seconds(10), every: .milliseconds(100)) {
            (try? String(contentsOfFile: recorded, encoding: .utf8)) == "reboot --force --force\n"
        }
        #expect(fellBack, "systemctl fallback recorded '\((try? String(contentsOfFile: recorded, encoding: .utf8)) ?? "")'")
        // Still alive after both: the process traps, so it stops renewing any lease.
        let died = try eventually(within: .seconds(10), every: .milliseconds(200)) {
            try manager.show(unit, ["ActiveState"])["ActiveState"] != "active"
        }
        #expect(died, "the daemon still runs after both self-fence methods")
        // ExecStopPost writes the exit once the process is gone: `deactivating` comes first.
        _ = eventually(within: .seconds(10), every: .milliseconds(100)) { DaemonUnderSystemdTests.recordedExit(config) != "(none)" }
        let exit = DaemonUnderSystemdTests.recordedExit(config)
        #expect(exit.hasPrefix("core-dump") || exit.hasPrefix("signal"), "the daemon ended with '\(exit)', expected death by a trap")
        #expect(try String(contentsOfFile: trigger, encoding: .utf8) == "b", "the key was written more than once")
    }
}
