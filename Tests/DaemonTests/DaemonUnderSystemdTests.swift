import ClusterCore
import Foundation
import Testing

/// haclusterd as a unit of a REAL systemd user manager (with its own journald),
/// started from the unit shipped in etc/ with test drop-ins.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DaemonUnderSystemdTests {
    /// A status line as the daemon writes it (`DaemonStatus.text`).
    static var statusPattern: Regex<(Substring, Substring, Substring, Substring, Substring?)> { #/^(starting|standby|witness|stopping|active \S+); (no leader|leader \S+); (quorum unknown|(quorate|no quorum) \d+/\d+)$/# }

    struct Sample {
        var at: Date
        var activeState: String
        var statusText: String
    }

    /// Installs the shipped unit with `ExecStart=` pointing at the built binary, plus `extraDropIn`.
    static func installDaemonUnit(
        _ manager: DaemonTestManager, name: String, config: DaemonTestConfig, extraDropIn: String
    ) throws {
        let shipped = try String(contentsOfFile: DaemonTestPaths.shippedUnit, encoding: .utf8)
        let dropIn = """
            [Service]
            ExecStart=
            ExecStart=\(DaemonTestPaths.daemonBinary) --config \(config.configPath) --node \(config.nodeName)
            # Self-fencing in a test must not reboot the test machine: it only exits (status 70).
            Environment=HACLUSTERD_TEST_SELF_FENCE_COMMAND=
            # Crashes in tests must not write cores.
            LimitCORE=0
            # systemd unloads a unit that stopped cleanly (its ExecMain* properties go with it):
            # record how the main process ended, as systemd saw it.
            # The shipped sandbox stays; the test's files live in a scratch directory under /tmp,
            # writable as an operator makes the shared storage writable (ReadWritePaths=).
            PrivateTmp=no
            ReadWritePaths=\(config.directory.deletingLastPathComponent().path)
            # Two settings of the shipped unit a user manager does not take: ProtectKernelLogs=
            # fails the start (226/NAMESPACE), and with ProtectControlGroups= the test manager's
            # own journald stores none of the daemon's entries. SystemBusTests runs the whole
            # sandbox under a system instance and checks the journal there.
            ProtectKernelLogs=no
            ProtectControlGroups=no
            ExecStopPost=/bin/sh -c 'echo "$SERVICE_RESULT $EXIT_CODE $EXIT_STATUS" > \(config.directory.path)/exit'
            \(extraDropIn)
            """
        try manager.writeUnit(named: name, contents: shipped, dropIn: dropIn)
    }

    /// `SERVICE_RESULT EXIT_CODE EXIT_STATUS` written by ExecStopPost (e.g. `success exited 0`).
    static func recordedExit(_ config: DaemonTestConfig) -> String {
        let text = (try? String(contentsOfFile: config.directory.appendingPathComponent("exit").path, encoding: .utf8)) ?? "(none)"
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Samples ActiveState/StatusText every 50 ms until `done` holds (bounded).
    static func sample(
        _ manager: DaemonTestManager, unit: String, within timeout: Duration, until done: (Sample) -> Bool
    ) throws -> [Sample] {
        var samples: [Sample] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let values = try manager.show(unit, ["ActiveState", "StatusText"])
            let sample = Sample(at: Date(), activeState: values["ActiveState"] ?? "?", statusText: values["StatusText"] ?? "")
            samples.append(sample)
            if done(sample) { break }
            usleep(50_000)
        }
        return samples
    }

    @Test("active only after READY, StatusText set, journal fields, watchdog pings, clean stop")
    func readyStatusJournalAndCleanStop() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "sdr")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch.appendingPathComponent("node"))
        try config.write()
        let manager = try DaemonTestManager(directory: scratch.appendingPathComponent("um"), tag: "sdr\(getpid())")
        defer { manager.stop() }
        let unit = "hacd-sdr-\(getpid()).service"
        // READY is delayed by 2 s (test hook) so "activating until READY" is observable;
        // WatchdogSec=2s so a missing ping would kill the daemon within the test (and a
        // loaded test machine does not make a healthy daemon miss one).
        try Self.installDaemonUnit(manager, name: unit, config: config, extraDropIn: """
            Environment=HACLUSTERD_TEST_READY_DELAY=2s
            WatchdogSec=2s
            """)

        let start = Date()
        let started = try manager.systemctl(["start", "--no-block", unit])
        #expect(started.status == 0, "\(started)")
        let samples = try Self.sample(manager, unit: unit, within: .seconds(20)) { ["active", "failed"].contains($0.activeState) }
        guard let firstActive = samples.firstIndex(where: { $0.activeState == "active" }) else {
            Issue.record("never became active; samples: \(samples.map(\.activeState)); unit: \(try manager.systemctl(["status", unit]).stdout)")
            return
        }
        let before = samples[..<firstActive]
        #expect(!before.isEmpty && before.allSatisfy { $0.activeState == "activating" },
                "states before active: \(before.map(\.activeState))")
        let activeAfter = samples[firstActive].at.timeIntervalSince(start)
        #expect(activeAfter >= 1.5, "active \(activeAfter) s after start, although READY was delayed by 2 s")

        // StatusText: set by the daemon (systemd leaves it empty otherwise).
        let status = samples[firstActive].statusText
        #expect(status.wholeMatch(of: Self.statusPattern) != nil, "StatusText '\(status)'")

        // Stays active over more than 2 watchdog periods: the pings from the event loop arrive.
        let firstPing = try manager.show(unit, ["WatchdogTimestampMonotonic", "MainPID"])
        Thread.sleep(forTimeInterval: 4.5)
        let later = try manager.show(unit, ["ActiveState", "WatchdogTimestampMonotonic", "MainPID", "NRestarts"])
        #expect(later["ActiveState"] == "active")
        #expect(later["MainPID"] == firstPing["MainPID"] && later["NRestarts"] == "0", "\(later)\n\(manager.journalText())")
        #expect((UInt64(later["WatchdogTimestampMonotonic"] ?? "") ?? 0) > (UInt64(firstPing["WatchdogTimestampMonotonic"] ?? "") ?? 0),
                "watchdog timestamp did not advance: \(firstPing) -> \(later)")

        // The control socket is open while active, mode 0660.
        let attributes = try FileManager.default.attributesOfItem(atPath: config.controlSocket)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        #expect((attributes[.type] as? FileAttributeType) == .typeSocket)

        // Clean stop.
        let stop = try manager.systemctl(["stop", unit], timeout: .seconds(30))
        #expect(stop.status == 0, "\(stop)")
        let after = try manager.show(unit, ["ActiveState", "Result"])
        #expect(after["ActiveState"] == "inactive", "\(after)")
        #expect(after["Result"] == "success", "\(after)")
        #expect(Self.recordedExit(config) == "success exited 0", "expected a normal exit 0")
        #expect(!FileManager.default.fileExists(atPath: config.controlSocket), "control socket left behind")

        // The journal: structured fields from sd_journal_sendv, READY logged before the unit was active.
        let entries = try manager.journal(identifier: "haclusterd")
        let ready = entries.first { $0["MESSAGE"] == "ready" }
        #expect(ready != nil, "no 'ready' entry in the journal; entries: \(entries.map { $0["MESSAGE"] ?? "" })")
        if let ready {
            #expect(ready["PRIORITY"] == "5")
            #expect(ready["HA_NODE"] == "n1")
            #expect(ready["HA_CLUSTER"] == "sdtest")
            #expect(ready["STATUS"] == status, "STATUS field \(ready["STATUS"] ?? "nil") vs StatusText \(status)")
            #expect(ready["CODE_FUNC"] != nil && ready["CODE_FILE"] != nil)
            let loggedAt = (Double(ready["__REALTIME_TIMESTAMP"] ?? "") ?? .infinity) / 1e6
            #expect(loggedAt <= samples[firstActive].at.timeIntervalSince1970,
                    "'ready' logged at \(loggedAt), after the first 'active' sample at \(samples[firstActive].at.timeIntervalSince1970)")
        }
        let warning = entries.first { ($0["MESSAGE"] ?? "").hasPrefix("fencing.enabled: running without fencing") }
        #expect(warning?["PRIORITY"] == "4" && warning?["KEY"] == "fencing.enabled", "no fencing-disabled warning at priority 4")
        #expect(entries.contains { $0["MESSAGE"] == "stopped" }, "no 'stopped' entry")
        // Cluster events carry their kind as a field: the single node elected itself.
        let won = entries.first { $0["EVENT_KIND"] == "election.won" }
        #expect(won?["HA_NODE"] == "n1" && won?["PRIORITY"] == "5", "no election.won entry with its fields: \(String(describing: won))")
        #expect(won?["MESSAGE_ID"] == EventKind.electionWon.messageID, "election.won without its catalog MESSAGE_ID: \(String(describing: won))")
    }

    @Test("a hung event loop stops the watchdog pings: systemd kills the daemon with SIGABRT")
    func hungEventLoopIsKilledByTheWatchdog() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "sdw")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = DaemonTestConfig(directory: scratch.appendingPathComponent("node"))
        try config.write()
        let manager = try DaemonTestManager(directory: scratch.appendingPathComponent("um"), tag: "sdw\(getpid())")
        defer { manager.stop() }
        let unit = "hacd-sdw-\(getpid()).service"
        try Self.installDaemonUnit(manager, name: unit, config: config, extraDropIn: """
            Environment=HACLUSTERD_TEST_HANG_EVENT_LOOP=1s
            WatchdogSec=1s
            Restart=no
            """)

        let started = try manager.systemctl(["start", unit], timeout: .seconds(20))
        #expect(started.status == 0, "start: \(started)")
        // WatchdogSec=1s after the hang, a backtrace (a few seconds), then SIGKILL at the
        // shipped TimeoutAbortSec=15s at the latest.
        let samples = try Self.sample(manager, unit: unit, within: .seconds(40)) { ["failed", "inactive"].contains($0.activeState) }
        #expect(samples.last.map { ["failed", "inactive"].contains($0.activeState) } == true,
                "still \(samples.last?.activeState ?? "?") 40 s after the loop hung")
        #expect(samples.contains { $0.activeState == "active" } || started.status == 0, "was never active")
        let after = try manager.show(unit, ["Result", "ExecMainCode", "ExecMainStatus"])
        #expect(after["Result"] == "watchdog", "\(after)")
        // SIGABRT from the watchdog; the Swift runtime backtraces and does not exit, so
        // systemd's SIGKILL (TimeoutAbortSec) ends it. Either signal is a watchdog kill.
        let exit = Self.recordedExit(config)
        #expect(["watchdog killed ABRT", "watchdog dumped ABRT", "watchdog killed KILL"].contains(exit), "\(exit)")
        let entries = try manager.journal(identifier: "haclusterd")
        #expect(entries.contains { ($0["MESSAGE"] ?? "").contains("blocking the event loop forever") })
        // The operator gets the hung threads' backtrace in the journal (stderr stream).
        #expect(entries.contains { ($0["MESSAGE"] ?? "").contains("Program crashed: Aborted") },
                "no backtrace in the journal")
    }
}
