import ClusterCore
import ClusterHost
// `stat` is declared by several modules this file sees (Glibc, CoreFoundation, CLinux); with
// MemberImportVisibility the one the compiler picks must be imported.
import CLinux
import CoreFoundation
import Foundation
import Synchronization
import Testing

/// `systemctl --user reload` of the wired daemon under a real systemd user manager, holding a
/// real unit: the daemon re-executes in place (same PID), keeps the lock, the unit and the
/// term, and answers `hactl` again within a moment; an invalid configuration or a change that
/// cannot apply live makes `systemctl reload` fail and changes nothing; a binary replaced on
/// disk is the one that runs after the reload.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct DaemonReloadTests {
    /// Asks `status` every 10 ms in a thread; records the longest time without an answer.
    final class StatusProbe: @unchecked Sendable {
        private let socket: String
        private let state = Mutex<(last: ContinuousClock.Instant?, longest: Duration, stop: Bool)>((nil, .zero, false))
        private var thread: Thread?

        init(socket: String) { self.socket = socket }

        func start() {
            let thread = Thread { [self] in
                let client = ControlClient(socketPath: socket, timeout: .seconds(1))
                while !state.withLock({ $0.stop }) {
                    if case .result(.status) = try? client.send(.status) {
                        let now = ContinuousClock.now
                        state.withLock { state in
                            if let last = state.last { state.longest = max(state.longest, now - last) }
                            state.last = now
                        }
                    }
                    usleep(10_000)
                }
            }
            self.thread = thread
            thread.start()
        }

        /// Stops and returns the longest gap between two answers.
        func stop() -> Duration {
            state.withLock { $0.stop = true }
            usleep(50_000)
            return state.withLock { $0.longest }
        }
    }

    struct Setup: @unchecked Sendable {
        let scratch: URL
        let config: DaemonTestConfig
        let manager: DaemonTestManager
        let unit: String
        let demoUnit: String
        let binary: String
    }

    static func term(_ config: DaemonTestConfig) -> Int? {
        DaemonServiceTests.status(config)?["term"] as? Int
    }

    /// The daemon unit runs a copy of the built binary (so a test can replace it) and reloads
    /// with `hactl reload`, as the shipped unit does.
    static func setUp(tag: String) throws -> Setup {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: tag)
        let demoUnit = "hacd-\(tag)-\(getpid())-demo.service"
        let config = DaemonTestConfig(directory: scratch.appendingPathComponent("node"))
        try config.write(serviceUnit: demoUnit)
        let binDirectory = scratch.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: binDirectory, withIntermediateDirectories: true)
        let binary = binDirectory.appendingPathComponent("haclusterd").path
        try FileManager.default.copyItem(atPath: DaemonTestPaths.daemonBinary, toPath: binary)
        let manager = try DaemonTestManager(directory: scratch.appendingPathComponent("um"), tag: "\(tag)\(getpid())")
        try manager.writeUnit(named: demoUnit, contents: "[Service]\nExecStart=/bin/sleep 600\n")
        let unit = "hacd-\(tag)-\(getpid()).service"
        try DaemonUnderSystemdTests.installDaemonUnit(manager, name: unit, config: config, extraDropIn: """
            ExecStart=
            ExecStart=\(binary) --config \(config.configPath) --node \(config.nodeName)
            ExecReload=
            ExecReload=\(DaemonTestPaths.hactlBinary) --socket \(config.controlSocket) reload
            WatchdogSec=5s
            """)
        return Setup(scratch: scratch, config: config, manager: manager, unit: unit, demoUnit: demoUnit, binary: binary)
    }

    static func startAndWaitForService(_ setup: Setup) throws {
        let started = try setup.manager.systemctl(["start", setup.unit], timeout: .seconds(30))
        try #require(started.status == 0, "\(started)\n\(setup.manager.journalText())")
        let running = eventually(within: .seconds(20), every: .milliseconds(100)) {
            (DaemonServiceTests.service(setup.config)?["state"] as? String) == "started"
        }
        try #require(running, "service not started\n\(setup.manager.journalText())")
    }

    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    @Test("systemctl reload re-executes in place: same PID, lock, unit and term; no gap beyond the exec")
    func reloadKeepsEverything() throws {
        let setup = try Self.setUp(tag: "rl")
        defer { setup.manager.stop(); try? FileManager.default.removeItem(at: setup.scratch) }
        try Self.startAndWaitForService(setup)
        let lockFile = setup.config.sharedStorage + "/.hacluster.lock"
        let daemonPID = try setup.manager.show(setup.unit, ["MainPID"])["MainPID"] ?? ""
        let unitPID = try setup.manager.show(setup.demoUnit, ["MainPID"])["MainPID"] ?? ""
        let term = Self.term(setup.config)
        try #require(term != nil && daemonPID != "0" && unitPID != "0")

        // Sample the unit's state while it reloads: reloading, then active.
        let states = Mutex<[String]>([])
        let sampling = Thread {
            let deadline = Date().addingTimeInterval(6)
            while Date() < deadline {
                if let state = try? setup.manager.show(setup.unit, ["ActiveState"])["ActiveState"] {
                    states.withLock { if $0.last != state { $0.append(state) } }
                }
                usleep(5_000)
            }
        }
        let probe = StatusProbe(socket: setup.config.controlSocket)
        probe.start()
        usleep(300_000)
        sampling.start()
        let reload = try setup.manager.systemctl(["reload", setup.unit], timeout: .seconds(60))
        usleep(500_000)
        let gap = probe.stop()
        #expect(reload.status == 0, "\(reload)\n\(setup.manager.journalText())")
        #expect(try setup.manager.show(setup.unit, ["MainPID"])["MainPID"] == daemonPID, "the daemon's PID changed")
        #expect(try setup.manager.show(setup.unit, ["ActiveState"])["ActiveState"] == "active")
        #expect(try setup.manager.show(setup.demoUnit, ["MainPID"])["MainPID"] == unitPID, "the managed unit was restarted")
        #expect(try DaemonServiceTests.lockIsHeld(lockFile), "the storage lock is not held after the reload")
        #expect(Self.term(setup.config) == term, "the term changed: an election happened")
        #expect((DaemonServiceTests.service(setup.config)?["state"] as? String) == "started")
        print("reload: longest gap between two status answers: \(gap.wholeMilliseconds) ms")
        #expect(gap < .seconds(1), "hactl status did not answer for \(gap)")
        Thread.sleep(forTimeInterval: 1)
        let seen = states.withLock { $0 }
        let entries = try setup.manager.journal(identifier: "haclusterd")
        #expect(entries.contains { ($0["MESSAGE"] ?? "").hasPrefix("reloaded in place") }, "\(setup.manager.journalText())")
        #expect(seen.contains("reloading") && seen.last == "active", "unit states during the reload: \(seen)")

        // SIGHUP by hand: the same.
        let hup = try setup.manager.systemctl(["kill", "--kill-whom=main", "--signal=HUP", setup.unit])
        #expect(hup.status == 0, "\(hup)")
        let again = eventually(within: .seconds(10), every: .milliseconds(100)) {
            ((try? setup.manager.journal(identifier: "haclusterd")) ?? []).filter { ($0["MESSAGE"] ?? "").hasPrefix("reloaded in place") }.count >= 2
        }
        #expect(again, "no second reload after SIGHUP\n\(setup.manager.journalText())")
        #expect(try setup.manager.show(setup.unit, ["MainPID", "ActiveState"]) == ["MainPID": daemonPID, "ActiveState": "active"])
        #expect(try setup.manager.show(setup.demoUnit, ["MainPID"])["MainPID"] == unitPID)
        #expect(Self.term(setup.config) == term)
        #expect(try DaemonServiceTests.lockIsHeld(lockFile))

        _ = try setup.manager.systemctl(["stop", setup.unit], timeout: .seconds(60))
        #expect(DaemonUnderSystemdTests.recordedExit(setup.config) == "success exited 0")
    }

    @Test("an invalid configuration or a change that cannot apply live fails the reload and changes nothing")
    func refusedReloadChangesNothing() throws {
        let setup = try Self.setUp(tag: "rf")
        defer { setup.manager.stop(); try? FileManager.default.removeItem(at: setup.scratch) }
        try Self.startAndWaitForService(setup)
        let daemonPID = try setup.manager.show(setup.unit, ["MainPID"])["MainPID"] ?? ""
        let unitPID = try setup.manager.show(setup.demoUnit, ["MainPID"])["MainPID"] ?? ""
        let socketInode = Self.inode(setup.config.controlSocket)

        // A key with a wrong type: file, line and key named; systemctl reload fails.
        let original = try String(contentsOfFile: setup.config.configPath, encoding: .utf8)
        try original.replacingOccurrences(of: "monitor_interval = \"1s\"", with: "monitor_interval = \"soon\"")
            .write(toFile: setup.config.configPath, atomically: true, encoding: .utf8)
        let lines = try String(contentsOfFile: setup.config.configPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let line = (lines.firstIndex { $0.contains("monitor_interval") } ?? -1) + 1
        let refused = try setup.manager.systemctl(["reload", setup.unit], timeout: .seconds(60))
        #expect(refused.status != 0, "\(refused)")
        let expected = "\(setup.config.configPath):\(line): service.monitor_interval"
        let logged = eventually(within: .seconds(5)) {
            setup.manager.journalText(lines: 200).contains(expected)
        }
        #expect(logged, "the refusal does not name \(expected):\n\(setup.manager.journalText(lines: 200))")
        #expect(try setup.manager.show(setup.unit, ["MainPID", "ActiveState"]) == ["MainPID": daemonPID, "ActiveState": "active"])
        #expect(Self.inode(setup.config.controlSocket) == socketInode, "the daemon re-executed although refused")

        // hactl reload says the same on stderr, exit 1.
        let direct = try DaemonServiceTests.hactl(setup.config, ["reload"])
        #expect(direct.status == 1 && direct.stderr.contains(expected), "\(direct)")

        // A change that cannot apply live: the cluster name.
        let renamed = DaemonTestConfig(
            directory: setup.config.directory, clusterName: "renamed", nodeName: setup.config.nodeName,
            nodeAddress: setup.config.nodeAddress)
        try String(contentsOfFile: setup.config.configPath, encoding: .utf8)
            .replacingOccurrences(of: "monitor_interval = \"soon\"", with: "monitor_interval = \"1s\"")
            .replacingOccurrences(of: "name = \"\(setup.config.clusterName)\"", with: "name = \"\(renamed.clusterName)\"")
            .write(toFile: setup.config.configPath, atomically: true, encoding: .utf8)
        let renaming = try DaemonServiceTests.hactl(setup.config, ["reload"])
        #expect(renaming.status == 1, "\(renaming)")
        #expect(renaming.stderr.contains("\(setup.config.configPath):3: cluster.name changed")
                && renaming.stderr.contains("stop the whole cluster"), "\(renaming)")
        #expect(try setup.manager.show(setup.unit, ["MainPID"])["MainPID"] == daemonPID)
        #expect(try setup.manager.show(setup.demoUnit, ["MainPID"])["MainPID"] == unitPID)
        #expect(Self.inode(setup.config.controlSocket) == socketInode)
        #expect((DaemonServiceTests.service(setup.config)?["state"] as? String) == "started")
        _ = try setup.manager.systemctl(["stop", setup.unit], timeout: .seconds(60))
    }

    @Test("a binary replaced on disk runs after the reload, in the same process")
    func reloadRunsTheInstalledBinary() throws {
        let setup = try Self.setUp(tag: "up")
        defer { setup.manager.stop(); try? FileManager.default.removeItem(at: setup.scratch) }
        try Self.startAndWaitForService(setup)
        let daemonPID = try setup.manager.show(setup.unit, ["MainPID"])["MainPID"] ?? ""
        let unitPID = try setup.manager.show(setup.demoUnit, ["MainPID"])["MainPID"] ?? ""
        let term = Self.term(setup.config)
        let oldInode = Self.inode(setup.binary)

        // Install a new binary the way package managers do: a new file renamed over the old one.
        let staged = setup.binary + ".new"
        try FileManager.default.copyItem(atPath: DaemonTestPaths.daemonBinary, toPath: staged)
        try #require(rename(staged, setup.binary) == 0)
        let newInode = Self.inode(setup.binary)
        try #require(newInode != oldInode)
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(daemonPID)/exe")
        #expect(exe.hasSuffix("(deleted)"), "before the reload the daemon runs the old file: \(exe)")

        let reload = try setup.manager.systemctl(["reload", setup.unit], timeout: .seconds(60))
        #expect(reload.status == 0, "\(reload)\n\(setup.manager.journalText())")
        #expect(try setup.manager.show(setup.unit, ["MainPID"])["MainPID"] == daemonPID)
        var info = stat()
        #expect(stat("/proc/\(daemonPID)/exe", &info) == 0 && UInt64(info.st_ino) == newInode,
                "the daemon does not run the new binary (inode \(info.st_ino), expected \(newInode ?? 0))")
        #expect(try setup.manager.show(setup.demoUnit, ["MainPID"])["MainPID"] == unitPID)
        #expect(Self.term(setup.config) == term)
        #expect(try DaemonServiceTests.lockIsHeld(setup.config.sharedStorage + "/.hacluster.lock"))
        _ = try setup.manager.systemctl(["stop", setup.unit], timeout: .seconds(60))
        #expect(DaemonUnderSystemdTests.recordedExit(setup.config) == "success exited 0")
    }
}
