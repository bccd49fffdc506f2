import Foundation
import Testing

/// `[fencing] watchdog`: the daemon pets the device only while its event loop beats,
/// and disarms it (magic `V`) on an orderly stop. This machine has no /dev/watchdog
/// (and no softdog module), so a regular file stands in for the device under the test hook
/// `HACLUSTERD_TEST_WATCHDOG_DOUBLE=1`: every pet is a byte written to it (the daemon skips
/// the timeout ioctl for anything but a character device). Without the hook, a file that is
/// no character device is refused.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DaemonWatchdogDeviceTests {
    static func start(_ scratch: URL, environment: [String: String] = ["HACLUSTERD_TEST_WATCHDOG_DOUBLE": "1"]) throws -> (DaemonTestConfig, String, DaemonTestCommand.Launched) {
        let device = scratch.appendingPathComponent("watchdog").path
        _ = FileManager.default.createFile(atPath: device, contents: nil)
        let config = DaemonTestConfig(directory: scratch, localWitness: true)
        try config.write()
        // Appended to [fencing], the last table of the file.
        try config.writeConfigOnly(extra: "watchdog = \"\(device)\"\nwatchdog_timeout = \"2s\"\n")
        let daemon = try DaemonTestCommand.Launched([DaemonTestPaths.daemonBinary, "--config", config.configPath], environment: environment)
        return (config, device, daemon)
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
    }

    @Test func petsWhileAliveAndDisarmsOnStop() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "wd")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (_, device, daemon) = try Self.start(scratch)
        defer { daemon.kill() }
        #expect(eventually(within: .seconds(20)) { daemon.stderr.contains(": ready") || !daemon.isRunning }, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("watchdog device armed"), "\(daemon.stderr)")
        let first = Self.size(device)
        Thread.sleep(forTimeInterval: 2.5)
        let second = Self.size(device)
        // Interval = timeout / 3 (≈ 0.67 s): at least 2 pets in 2.5 s.
        #expect(second - first >= 2, "pets: \(first) -> \(second) bytes")
        daemon.signal(SIGTERM)
        #expect(daemon.wait(upTo: .seconds(20)) && daemon.status == 0, "\(daemon.stderr)")
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: device))) ?? Data()
        #expect(bytes.last == UInt8(ascii: "V"), "no magic close: last byte \(String(describing: bytes.last))")
        #expect(bytes.dropLast().allSatisfy { $0 == 0 }, "unexpected bytes written to the device")
    }

    @Test func stopsPettingWhenTheEventLoopHangs() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "wd")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (_, device, daemon) = try Self.start(scratch, environment: ["HACLUSTERD_TEST_HANG_EVENT_LOOP": "1s", "HACLUSTERD_TEST_WATCHDOG_DOUBLE": "1"])
        defer { daemon.kill() }
        #expect(eventually(within: .seconds(20)) { daemon.stderr.contains("blocking the event loop forever") || !daemon.isRunning },
                "\(daemon.stderr)")
        // The loop no longer beats: after at most max tick age (timeout / 2) plus one
        // interval the pets stop, and the kernel would reset the node.
        Thread.sleep(forTimeInterval: 2)
        let settled = Self.size(device)
        Thread.sleep(forTimeInterval: 3)
        #expect(Self.size(device) == settled, "still petting with a hung loop: \(settled) -> \(Self.size(device)) bytes")
        #expect(settled > 0, "never petted before the hang")
        #expect(daemon.isRunning, "the daemon exited: \(daemon.stderr)")
    }

    @Test func aWatchdogThatIsNoCharacterDeviceIsRefusedNamingTheKeyAndFile() throws {
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "wd")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (config, device, daemon) = try Self.start(scratch, environment: [:])
        defer { daemon.kill() }
        #expect(daemon.wait(upTo: .seconds(20)), "the daemon did not exit: \(daemon.stderr)")
        #expect(daemon.status == 2, "exit \(String(describing: daemon.status)): \(daemon.stderr)")
        #expect(daemon.stderr.contains("\(config.configPath): fencing.watchdog: \(device) is a regular file, not a character device"), "\(daemon.stderr)")
        #expect(Self.size(device) == 0, "nothing written to it")
    }
}
