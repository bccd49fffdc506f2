import Foundation
import Testing

/// A FUSE mount of `scripts/testlib/faultfs` (a pass-through of `backing`) for the life of a
/// test: O_DIRECT passed, refused at open or refused at the I/O; the kernel's page cache on
/// (the default here) or off; and faultfs's storage modes (ok, error[:ERRNO], hang, slow:MS),
/// written to its mode file. The server runs under `timeout` (it cannot outlive the test by
/// more than `lifetime`); its log is `backing + ".log"`; `stop()` sets the mode back to ok,
/// unmounts and waits for the server, killing it when it lingers.
final class FaultFSMount: @unchecked Sendable {
    /// faultfs's `--o-direct`.
    enum DirectIO: String { case pass, refuseOpen = "refuse", refuseIO = "refuse-io", strict }
    /// faultfs's `--cache`: `.page` keeps the kernel's page cache for descriptors without
    /// O_DIRECT, so a write behind the mount is not seen by cached pages; `.off` is direct_io.
    enum Cache: String { case off, page }

    let backing: String
    let mountpoint: String
    let modeFile: String
    let logFile: String
    private let server: Process
    private var stopped = false

    static var available: Bool { getuid() == 0 && FileManager.default.fileExists(atPath: "/dev/fuse") }

    /// Mounts `backing` at `mountpoint` (both existing directories); waits at most 10 s for the mount.
    init(backing: String, mountpoint: String, directIO: DirectIO, cache: Cache = .page, lifetime: Int = 120) throws {
        self.backing = backing
        self.mountpoint = mountpoint
        self.modeFile = backing + ".mode"
        self.logFile = backing + ".log"
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try #require(FileHandle(forWritingAtPath: logFile))
        defer { try? log.close() }
        server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        // Debian's fusepy is on /usr/bin/python3 only (not on another python3 first on PATH).
        server.arguments = ["-s", "TERM", "-k", "5", String(lifetime), "/usr/bin/python3",
                            TestShell.repositoryRoot + "/scripts/testlib/faultfs", backing, mountpoint,
                            "--control", modeFile, "--name", "faultfs-test",
                            "--o-direct", directIO.rawValue, "--cache", cache.rawValue]
        server.standardError = log
        server.standardOutput = log
        server.standardInput = FileHandle.nullDevice
        try server.run()
        let deadline = Date().addingTimeInterval(10)
        while !isMounted && server.isRunning && Date() < deadline { usleep(20_000) }
        guard isMounted else {
            stop()
            throw MountError.notMounted(mountpoint, (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "")
        }
    }

    deinit { stop() }

    var isMounted: Bool {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
            .split(separator: "\n").contains { $0.split(separator: " ").dropFirst(4).first == Substring(mountpoint) }
    }

    /// Sets faultfs's mode (read before every operation): "ok", "error", "error:ENOSPC", "hang",
    /// "slow:200". Replaced atomically, so faultfs never reads half a mode.
    func setMode(_ mode: String) throws {
        try Data((mode + "\n").utf8).write(to: URL(fileURLWithPath: modeFile), options: .atomic)
    }

    /// Every operation answers EIO (the storage stops answering, as a failed NAS does) until `recover()`.
    func fail() throws { try setMode("error") }
    func recover() throws { try setMode("ok") }

    /// Writes `bytes` at `offset` into the backing file, behind the mount's back: what another
    /// machine writing to the shared storage looks like to this one's page cache.
    func writeBehindTheMount(_ file: String, _ bytes: [UInt8], at offset: Int) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: backing + "/" + file))
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: bytes)
        try handle.synchronize()
        try handle.close()
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        try? recover()
        if isMounted {
            if TestShell.run("umount '\(mountpoint)'", timeout: 10).status != 0 {
                TestShell.run("umount -l '\(mountpoint)'", timeout: 10)
            }
        }
        let deadline = Date().addingTimeInterval(5)
        while server.isRunning && Date() < deadline { usleep(20_000) }
        if server.isRunning {
            server.terminate()  // timeout passes SIGTERM on to the server, and kills it 5 s later
            server.waitUntilExit()
        }
    }

    enum MountError: Error, CustomStringConvertible {
        case notMounted(String, String)
        var description: String {
            switch self {
            case let .notMounted(mountpoint, log): "faultfs did not mount \(mountpoint) within 10 s: \(log)"
            }
        }
    }
}
