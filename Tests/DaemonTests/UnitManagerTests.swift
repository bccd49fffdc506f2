import ClusterNode
import ClusterHost
import Foundation
import Testing
@testable import ClusterCore

/// UnitManager against a real `systemd --user` in a private mount namespace
/// (scripts/testlib/user-manager.sh), reached over the user bus like `systemd_bus = "user"`.
@Suite(.serialized) final class UnitManagerTests {
    let systemd: TestUserManager
    let manager: UnitManager
    let prefix = "hacd-ut\(getpid())"

    init() throws {
        systemd = try TestUserManager(tag: "ut")
        manager = UnitManager(bus: .address(systemd.busAddress))
    }

    deinit {
        systemd.stop()
    }

    func unit(_ name: String, _ service: String) async throws -> String {
        let unit = "\(prefix)-\(name).service"
        try systemd.writeUnit(unit, "[Unit]\nDescription=haclusterd test \(name)\n[Service]\n\(service)\n")
        _ = systemd.systemctl("daemon-reload")
        return unit
    }

    @Test func startsAndStopsAUnitWaitingForTheJobResult() async throws {
        let sleeper = try await unit("sleep", "ExecStart=/bin/sleep 300")
        #expect(try await manager.status(of: sleeper).activeState == "inactive")
        let clock = ContinuousClock()
        var began = clock.now
        try await manager.start(sleeper, timeout: .seconds(10))
        let started = clock.now - began
        let status = try await manager.status(of: sleeper)
        #expect(status == UnitStatus(unit: sleeper, loadState: "loaded", activeState: "active", subState: "running"))
        // Cross-check with systemctl, which does not share our code.
        #expect(systemd.systemctl("is-active \(sleeper)").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "active")

        began = clock.now
        try await manager.stop(sleeper, timeout: .seconds(10))
        let stopped = clock.now - began
        #expect(try await manager.status(of: sleeper).activeState == "inactive")
        #expect(systemd.systemctl("is-active \(sleeper)").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "inactive")
        print("measured: StartUnit+JobRemoved \(millis(started)), StopUnit+JobRemoved \(millis(stopped)) (sleep unit, user manager over the user bus)")
    }

    @Test func settingsReadTheUnitsTimeoutsAndBootStateAndTheAuditWarns() async throws {
        let unit = "\(prefix)-settings.service"
        try systemd.writeUnit(unit, "[Unit]\nDescription=haclusterd test settings\n[Service]\nExecStart=/bin/sleep 300\nTimeoutStartSec=5s\nTimeoutStopSec=7s\n[Install]\nWantedBy=default.target\n")
        _ = systemd.systemctl("daemon-reload")
        var settings = try await manager.settings(of: unit)
        #expect(settings.timeoutStart == .seconds(5))
        #expect(settings.timeoutStop == .seconds(7))
        #expect(settings.unitFileState == "disabled")
        #expect(!settings.isEnabledAtBoot)
        // What `systemctl enable` does for WantedBy=default.target.
        let wants = systemd.unitDirectory + "/default.target.wants"
        try FileManager.default.createDirectory(atPath: wants, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: wants + "/" + unit, withDestinationPath: systemd.unitDirectory + "/" + unit)
        _ = systemd.systemctl("daemon-reload")
        settings = try await manager.settings(of: unit)
        #expect(settings.unitFileState == "enabled", "cross-check: systemctl is-enabled says \(systemd.systemctl("is-enabled \(unit)").stdout)")
        let config = ClusterConfig(
            cluster: ClusterSettings(name: "audit"), nodes: [NodeConfig(name: "n1", addresses: ["198.18.0.1"])],
            service: ServiceConfig(name: "svc", units: [unit], systemdBus: .user, startTimeout: .seconds(600), stopTimeout: .seconds(600)),
            storage: StorageConfig(path: "/tmp"))
        let warnings = UnitAudit.warnings(config: config, units: [settings], daemonTimeoutStop: nil)
        #expect(warnings.count == 3, "\(warnings)")
        #expect(warnings.contains { $0.contains("TimeoutStartSec (5s) is shorter than its start_timeout (10min)") })
        #expect(warnings.contains { $0.contains("is enabled at boot") })
        try FileManager.default.removeItem(atPath: wants + "/" + unit)
        _ = systemd.systemctl("daemon-reload")
    }

    @Test func configCheckAsksThisMachinesSystemdAboutTheUnits() async throws {
        let unit = "\(prefix)-checked.service"
        try systemd.writeUnit(unit, "[Unit]\nDescription=haclusterd test config check\n[Service]\nExecStart=/bin/sleep 300\nTimeoutStartSec=5s 500ms\n[Install]\nWantedBy=default.target\n")
        _ = systemd.systemctl("daemon-reload")
        let config = DaemonTestConfig(directory: URL(fileURLWithPath: systemd.directory).appendingPathComponent("check"))
        try config.write(serviceUnit: unit, extra: "")
        let bus = ["/usr/bin/env", "XDG_RUNTIME_DIR=\(systemd.environment["XDG_RUNTIME_DIR"]!)", "DBUS_SESSION_BUS_ADDRESS=\(systemd.busAddress)"]
        let disabled = try await hactl(["config", "check", config.configPath], as: bus)
        #expect(disabled.status == 0, "\(disabled.stderr)")
        #expect(disabled.stderr.contains("\(unit): systemd's TimeoutStartSec ("), "\(disabled.stderr)")
        #expect(disabled.stderr.contains("is shorter than its start_timeout (10s)"), "\(disabled.stderr)")
        #expect(!disabled.stderr.contains("enabled at boot"), "\(disabled.stderr)")
        // Enabled as `systemctl enable` would (WantedBy=default.target).
        let wants = systemd.unitDirectory + "/default.target.wants"
        try FileManager.default.createDirectory(atPath: wants, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: wants + "/" + unit, withDestinationPath: systemd.unitDirectory + "/" + unit)
        _ = systemd.systemctl("daemon-reload")
        let enabled = try await hactl(["config", "check", config.configPath], as: bus)
        #expect(enabled.status == 0, "\(enabled.stderr)")
        #expect(enabled.stderr.contains("warning: \(unit) is enabled at boot (enabled)"), "\(enabled.stderr)")
        let json = try await hactl(["--json", "config", "check", config.configPath], as: bus)
        #expect(json.stdout.contains("is enabled at boot"), "\(json.stdout)")
        // No systemd to ask: said, not silently passed.
        let nowhere = try await hactl(["config", "check", config.configPath], as: ["/usr/bin/env", "XDG_RUNTIME_DIR=/nonexistent", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"])
        #expect(nowhere.status == 0)
        #expect(nowhere.stderr.contains("note: units not checked against systemd"), "\(nowhere.stderr)")
        try FileManager.default.removeItem(atPath: wants + "/" + unit)
        _ = systemd.systemctl("daemon-reload")
    }

    @Test func directPeerConnectionWorksToo() async throws {
        let sleeper = try await unit("direct", "ExecStart=/bin/sleep 300")
        let direct = UnitManager(bus: .direct(systemd.privateAddress))
        try await direct.start(sleeper, timeout: .seconds(10))
        #expect(try await direct.status(of: sleeper).activeState == "active")
        try await direct.stop(sleeper, timeout: .seconds(10))
        #expect(try await direct.status(of: sleeper).activeState == "inactive")
    }

    @Test func aUnitThatFailsToStartReportsTheJobResult() async throws {
        let failing = try await unit("false", "Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/false")
        await #expect(throws: UnitError.startFailed(unit: failing, result: "failed")) {
            try await self.manager.start(failing, timeout: .seconds(10))
        }
        #expect(try await manager.status(of: failing).activeState == "failed")
    }

    @Test func aDependencyFailureIsReportedAsSuch() async throws {
        let failing = try await unit("dep-false", "Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/false")
        let dependent = "\(prefix)-dependent.service"
        try systemd.writeUnit(dependent, "[Unit]\nRequires=\(failing)\nAfter=\(failing)\n[Service]\nExecStart=/bin/sleep 300\n")
        _ = systemd.systemctl("daemon-reload")
        await #expect(throws: UnitError.startFailed(unit: dependent, result: "dependency")) {
            try await self.manager.start(dependent, timeout: .seconds(10))
        }
    }

    @Test func aStartThatNeverCompletesTimesOut() async throws {
        // Type=notify without any READY=1: the start job stays running.
        let silent = try await unit("silent", "Type=notify\nTimeoutStartSec=120\nExecStart=/bin/sleep 300")
        let clock = ContinuousClock()
        let began = clock.now
        await #expect(throws: UnitError.startTimedOut(unit: silent, after: .milliseconds(700))) {
            try await self.manager.start(silent, timeout: .milliseconds(700))
        }
        let waited = clock.now - began
        #expect(waited >= .milliseconds(700) && waited < .seconds(30))  // the unit would take 120 s
        // Stop with mode replace cancels the pending start job.
        try await manager.stop(silent, timeout: .seconds(10))
        #expect(try await manager.status(of: silent).activeState == "inactive")
    }

    @Test func cancellingAWaitForAStartReturnsAtOnce() async throws {
        let silent = try await unit("cancelled", "Type=notify\nTimeoutStartSec=120\nExecStart=/bin/sleep 300")
        let manager = self.manager
        let waiting = Task { try await manager.start(silent, timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(300))
        let clock = ContinuousClock()
        let began = clock.now
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(clock.now - began < .seconds(10))
        #expect(try await manager.status(of: silent).activeState == "activating")
        try await manager.stop(silent, timeout: .seconds(10))
        #expect(try await manager.status(of: silent).activeState == "inactive")
    }

    @Test func aStopThatHangsPastStopTimeoutTimesOut() async throws {
        let stubborn = try await unit("stubborn", "ExecStart=/bin/sleep 300\nExecStop=/bin/sleep 120\nTimeoutStopSec=300")
        try await manager.start(stubborn, timeout: .seconds(10))
        let clock = ContinuousClock()
        let began = clock.now
        await #expect(throws: UnitError.stopTimedOut(unit: stubborn, after: .seconds(1))) {
            try await self.manager.stop(stubborn, timeout: .seconds(1))
        }
        let waited = clock.now - began
        #expect(waited >= .seconds(1) && waited < .seconds(30))  // ExecStop takes 120 s
        #expect(try await manager.status(of: stubborn).activeState == "deactivating")
        systemd.systemctl("kill --signal=KILL \(stubborn)")
    }

    @Test func aNonexistentUnitIsAClearError() async throws {
        let missing = "\(prefix)-no-such-unit.service"
        do {
            try await manager.start(missing, timeout: .seconds(5))
            Issue.record("starting a missing unit succeeded")
        } catch let error as UnitError {
            guard case let .noSuchUnit(unit, message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(unit == missing)
            #expect(message.contains(missing))
            #expect(error.description.contains(missing))
        }
        #expect(try await manager.status(of: missing).loadState == "not-found")
        // Stopping what does not exist is not an error (release is idempotent).
        try await manager.stop(missing, timeout: .seconds(5))
    }

    @Test func anUnreachableBusIsAClearError() async throws {
        let nowhere = UnitManager(bus: .address("unix:path=\(systemd.directory)/no-such-bus"))
        await #expect(throws: UnitError.busUnavailable(bus: "unix:path=\(systemd.directory)/no-such-bus", errno: ENOENT)) {
            try await nowhere.connect()
        }
    }

    @Test(.timeLimit(.minutes(1))) func aLostConnectionIsReportedAndReopenedOnNextUse() async throws {
        let sleeper = try await unit("reconnect", "ExecStart=/bin/sleep 300")
        try await manager.start(sleeper, timeout: .seconds(10))
        let changes = try await manager.stateChanges(of: sleeper)
        systemd.stopManagerOnly()
        // The change stream ends with the connection (a hang here fails on the time limit).
        for await _ in changes {}
        do {
            _ = try await manager.status(of: sleeper)
            Issue.record("status succeeded without a manager")
        } catch let error as UnitError {
            switch error {
            case .busUnavailable, .busDisconnected: break
            default: Issue.record("unexpected \(error)")
            }
        }
        // A new manager at the same address: the same UnitManager reconnects by itself.
        try systemd.restartManager()
        _ = systemd.systemctl("daemon-reload")
        #expect(try await manager.status(of: sleeper).activeState == "inactive")
        try await manager.start(sleeper, timeout: .seconds(10))
        #expect(try await manager.status(of: sleeper).activeState == "active")
    }

    @Test func propertiesChangedReportsACrashAndTheMonitorCountsIt() async throws {
        let crashing = try await unit("crash", "ExecStart=/bin/sh -c 'sleep 1; exit 3'")
        let monitor = ServiceMonitor(units: [crashing], control: manager, health: nil, monitorInterval: .seconds(30))
        try await manager.start(crashing, timeout: .seconds(10))
        let changes = try await manager.stateChanges(of: crashing)
        await monitor.start()
        let clock = ContinuousClock()
        let began = clock.now
        var seen: [String] = []
        for await status in changes {
            seen.append("\(status.activeState)/\(status.subState)")
            if status.activeState == "failed" { break }
            if clock.now - began > .seconds(10) { break }
        }
        #expect(seen.first == "active/running")
        #expect(seen.last == "failed/failed")
        // The monitor polls only every 30 s, so only the signal can have told it this fast.
        var failures = monitor.failures.makeAsyncIterator()
        let failure = await failures.next()
        #expect(failure == .unitDown(UnitStatus(unit: crashing, loadState: "loaded", activeState: "failed", subState: "failed")))
        print("measured: crash seen through PropertiesChanged \(millis(clock.now - began)) after watching began (unit exits after 1 s)")
        await monitor.stop()
    }

    @Test func theMonitorPollsActiveState() async throws {
        let victim = try await unit("polled", "ExecStart=/bin/sleep 300")
        try await manager.start(victim, timeout: .seconds(10))
        // A control whose change stream ends at once: only polling remains.
        let pollingOnly = PollingOnly(manager: manager)
        let monitor = ServiceMonitor(units: [victim], control: pollingOnly, health: nil, monitorInterval: .milliseconds(200))
        await monitor.start()
        systemd.systemctl("kill --signal=KILL \(victim)")
        var failures = monitor.failures.makeAsyncIterator()
        let failure = await failures.next()
        guard case let .unitDown(status) = failure else { Issue.record("expected unitDown, got \(String(describing: failure))"); return }
        #expect(status.unit == victim && status.activeState == "failed")
        await monitor.stop()
    }
}

/// The real UnitManager without PropertiesChanged, to test the polling path alone.
struct PollingOnly: UnitControlling {
    let manager: UnitManager
    func start(_ unit: String, timeout: Duration) async throws { try await manager.start(unit, timeout: timeout) }
    func stop(_ unit: String, timeout: Duration) async throws { try await manager.stop(unit, timeout: timeout) }
    func status(of unit: String) async throws -> UnitStatus { try await manager.status(of: unit) }
    func stateChanges(of unit: String) async throws -> AsyncStream<UnitStatus> { AsyncStream { $0.finish() } }
    func resetFailed(_ unit: String) async throws { try await manager.resetFailed(unit) }
}
