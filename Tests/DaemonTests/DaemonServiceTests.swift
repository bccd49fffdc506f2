import Foundation
import Testing

/// The wired daemon on one node, under a real systemd user manager, managing a
/// real unit of that manager: it wins the election, takes the `flock`, starts the
/// unit, answers `hactl`, restarts the unit when it dies, and on
/// `systemctl --user stop` releases everything before exiting 0.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DaemonServiceTests {
    /// `hactl --json status` of the daemon, decoded loosely.
    static func status(_ config: DaemonTestConfig) -> [String: Any]? {
        guard let result = try? DaemonTestCommand.run(
            [DaemonTestPaths.hactlBinary, "--socket", config.controlSocket, "--json", "status"], timeout: .seconds(10)),
            result.status == 0
        else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }

    static func service(_ config: DaemonTestConfig) -> [String: Any]? {
        status(config)?["service"] as? [String: Any]
    }

    static func hactl(_ config: DaemonTestConfig, _ arguments: [String]) throws -> DaemonTestCommand.Result {
        try DaemonTestCommand.run([DaemonTestPaths.hactlBinary, "--socket", config.controlSocket] + arguments, timeout: .seconds(20))
    }

    /// Whether another process holds the storage lock (`flock -n` is refused).
    static func lockIsHeld(_ path: String) throws -> Bool {
        try DaemonTestCommand.run(["flock", "-n", "-E", "99", path, "true"], timeout: .seconds(5)).status == 99
    }

    @Test("takes over, answers hactl, restarts a dead unit, releases on stop")
    func managesTheServiceUnit() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "svc")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let demoUnit = "hacd-svc-\(getpid())-demo.service"
        let config = DaemonTestConfig(directory: scratch.appendingPathComponent("node"))
        try config.write(serviceUnit: demoUnit)
        let lockFile = config.sharedStorage + "/.hacluster.lock"
        let manager = try DaemonTestManager(directory: scratch.appendingPathComponent("um"), tag: "svc\(getpid())")
        defer { manager.stop() }
        try manager.writeUnit(named: demoUnit, contents: """
            [Unit]
            Description=service managed by haclusterd (test)
            [Service]
            ExecStart=/bin/sleep 600
            """)
        let unit = "hacd-svc-\(getpid()).service"
        try DaemonUnderSystemdTests.installDaemonUnit(manager, name: unit, config: config, extraDropIn: "WatchdogSec=2s")

        let started = try manager.systemctl(["start", unit], timeout: .seconds(30))
        try #require(started.status == 0, "\(started)\n\(manager.journalText())")

        // Election (1 of 1 votes), lease, lock, unit.
        let running = eventually(within: .seconds(20), every: .milliseconds(200)) {
            (Self.service(config)?["state"] as? String) == "started"
        }
        try #require(running, "service not started: \(String(describing: Self.status(config)))\n\(manager.journalText())")
        #expect((Self.service(config)?["node"] as? String) == "n1")
        #expect(try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "active")
        #expect(try Self.lockIsHeld(lockFile), "the storage lock is not held while the service runs")
        // STATUS= follows the runtime every 250 ms: it may lag the control socket's answer.
        var statusText = ""
        let statusCaughtUp = eventually(within: .seconds(3), every: .milliseconds(100)) {
            statusText = (try? manager.show(unit, ["StatusText"])["StatusText"]) ?? ""
            return statusText == "active demo; leader n1; quorate 1/1"
        }
        #expect(statusCaughtUp, "StatusText '\(statusText)'")
        let report = Self.status(config)
        #expect((report?["coordinator"] as? String) == "n1")
        #expect(((report?["quorum"] as? [String: Any])?["quorate"] as? Bool) == true)

        // hactl disable: committed, then the unit stops and the lock is given up.
        // A follower (`events --follow`) sees the change and the release live.
        let follower = try DaemonTestCommand.Launched(
            [DaemonTestPaths.hactlBinary, "--socket", config.controlSocket, "--json", "events", "--follow", "--limit", "1"])
        defer { follower.kill() }
        Thread.sleep(forTimeInterval: 0.5)
        let disable = try Self.hactl(config, ["disable"])
        #expect(disable.status == 0, "\(disable)")
        let stopped = try eventually(within: .seconds(10), every: .milliseconds(100)) {
            try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "inactive"
        }
        #expect(stopped, "unit still running after disable")
        #expect(eventually(within: .seconds(5)) { (Self.service(config)?["state"] as? String) == "stopped" })
        #expect(try !Self.lockIsHeld(lockFile), "the storage lock is still held after disable")
        let followed = eventually(within: .seconds(5)) {
            follower.stdout.contains("admin.change") && follower.stdout.contains("release.stop")
        }
        #expect(followed, "events --follow did not stream the change: \(follower.stdout.prefix(1500)) \(follower.stderr)")
        follower.kill()

        // hactl enable: started again.
        let enable = try Self.hactl(config, ["enable"])
        #expect(enable.status == 0, "\(enable)")
        let restarted = try eventually(within: .seconds(10), every: .milliseconds(100)) {
            try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "active"
        }
        #expect(restarted, "unit not started again after enable")

        // The unit dies (SIGKILL): the monitor reports it, the failure is counted and,
        // below migration_threshold, the service is started again here.
        #expect(eventually(within: .seconds(5)) { (Self.service(config)?["state"] as? String) == "started" })
        let killed = try manager.systemctl(["kill", "--signal=KILL", demoUnit])
        #expect(killed.status == 0, "\(killed)")
        let counted = eventually(within: .seconds(20), every: .milliseconds(200)) {
            let service = Self.service(config)
            let failures = (service?["failures"] as? [String: Any])?["n1"] as? Int
            return failures == 1 && (service?["state"] as? String) == "started"
        }
        #expect(counted, "failure not counted or service not restarted: \(String(describing: Self.service(config)))\n\(manager.journalText())")
        #expect(try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "active")

        // Events of the takeover steps, with durations.
        let events = try Self.hactl(config, ["--json", "events"])
        #expect(events.status == 0 && events.stdout.contains("takeover.lock") && events.stdout.contains("takeover.start"), "\(events.stdout.prefix(2000))")

        // systemctl stop: release (unit stopped, lock free), then exit 0.
        let stop = try manager.systemctl(["stop", unit], timeout: .seconds(60))
        #expect(stop.status == 0, "\(stop)")
        #expect(DaemonUnderSystemdTests.recordedExit(config) == "success exited 0")
        #expect(try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "inactive", "the daemon exited and left the service running")
        #expect(try !Self.lockIsHeld(lockFile), "the storage lock is still held after the daemon stopped")
        #expect(!FileManager.default.fileExists(atPath: config.controlSocket))
    }

    /// kill -9 of the daemon while it holds the service: the unit keeps running (a separate
    /// unit), the lock dies with the daemon. systemd restarts the daemon, which must give the
    /// leftover up BEFORE joining (its core starts idle and would tell a leader "not holding").
    @Test("a restarted daemon releases what its killed predecessor left before joining")
    func releasesLeftoversOfAKilledRun() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "left")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let demoUnit = "hacd-left-\(getpid())-demo.service"
        let config = DaemonTestConfig(directory: scratch.appendingPathComponent("node"))
        try config.write(serviceUnit: demoUnit)
        let manager = try DaemonTestManager(directory: scratch.appendingPathComponent("um"), tag: "left\(getpid())")
        defer { manager.stop() }
        try manager.writeUnit(named: demoUnit, contents: "[Service]\nExecStart=/bin/sleep 600\n")
        let unit = "hacd-left-\(getpid()).service"
        // The shipped Restart=on-failure (RestartSec shortened) brings the daemon back.
        try DaemonUnderSystemdTests.installDaemonUnit(manager, name: unit, config: config, extraDropIn: "RestartSec=500ms")
        let started = try manager.systemctl(["start", unit], timeout: .seconds(30))
        try #require(started.status == 0, "\(started)")
        let running = eventually(within: .seconds(20), every: .milliseconds(200)) {
            (Self.service(config)?["state"] as? String) == "started"
        }
        try #require(running, "service not started\n\(manager.journalText())")
        let before = try manager.show(demoUnit, ["MainPID"])["MainPID"] ?? ""
        let daemonBefore = try manager.show(unit, ["MainPID"])["MainPID"] ?? ""

        // SIGKILL to the daemon only (the managed unit is in its own cgroup).
        let killed = try manager.systemctl(["kill", "--kill-whom=main", "--signal=KILL", unit])
        #expect(killed.status == 0, "\(killed)")
        let restarted = try eventually(within: .seconds(20), every: .milliseconds(200)) {
            let now = try manager.show(unit, ["MainPID", "ActiveState"])
            return now["ActiveState"] == "active" && now["MainPID"] != daemonBefore && now["MainPID"] != "0"
        }
        try #require(restarted, "daemon not restarted\n\(manager.journalText())")
        let again = eventually(within: .seconds(20), every: .milliseconds(200)) {
            (Self.service(config)?["state"] as? String) == "started"
        }
        #expect(again, "service not started again\n\(manager.journalText())")
        let after = try manager.show(demoUnit, ["MainPID"])["MainPID"] ?? ""
        #expect(after != before, "the unit left by the killed daemon kept running (MainPID \(before)) instead of being released first")
        let entries = try manager.journal(identifier: "haclusterd")
        #expect(entries.contains { ($0["MESSAGE"] ?? "").hasPrefix("a previous run left the service here") },
                "\(manager.journalText())")
        _ = try manager.systemctl(["stop", unit], timeout: .seconds(60))
    }
}
