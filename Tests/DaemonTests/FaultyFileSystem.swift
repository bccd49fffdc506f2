import Foundation
import Testing

/// A FUSE mount of `scripts/testlib/faultyfs.py` (a pass-through of `backing`) for the life of
/// a test: it can refuse O_DIRECT at open or at the I/O, and fail with EIO while a flag file
/// exists. The server runs under `timeout` (it cannot outlive the test by more than
/// `lifetime`); `stop()` unmounts it and waits for the server, killing it when it lingers.
final class FaultyFileSystem: @unchecked Sendable {
    enum DirectIO: String { case accept, refuseOpen = "refuse-open", refuseIO = "refuse-io" }

    let backing: String
    let mountpoint: String
    let failFlag: String
    private let server: Process
    private let errors: Pipe
    private var stopped = false

    static var available: Bool { getuid() == 0 && FileManager.default.fileExists(atPath: "/dev/fuse") }

    /// Mounts `backing` at `mountpoint` (both existing directories); waits at most 10 s for the mount.
    init(backing: String, mountpoint: String, directIO: DirectIO, lifetime: Int = 120) throws {
        self.backing = backing
        self.mountpoint = mountpoint
        self.failFlag = backing + ".fail"
        server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        // Debian's fusepy is on /usr/bin/python3 only (not on another python3 first on PATH).
        server.arguments = ["-s", "TERM", "-k", "5", String(lifetime), "/usr/bin/python3",
                            TestShell.repositoryRoot + "/scripts/testlib/faultyfs.py", backing, mountpoint,
                            "--direct", directIO.rawValue, "--fail-flag", failFlag]
        errors = Pipe()
        server.standardError = errors
        server.standardOutput = FileHandle.nullDevice
        server.standardInput = FileHandle.nullDevice
        try server.run()
        let deadline = Date().addingTimeInterval(10)
        while !isMounted && server.isRunning && Date() < deadline { usleep(20_000) }
        guard isMounted else {
            stop()
            throw MountError.notMounted(mountpoint, String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self))
        }
    }

    deinit { stop() }

    var isMounted: Bool {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
            .split(separator: "\n").contains { $0.split(separator: " ").dropFirst(4).first == Substring(mountpoint) }
    }

    /// Every read, write and fsync answers EIO until `recover()`.
    func fail() { FileManager.default.createFile(atPath: failFlag, contents: nil) }
    func recover() { try? FileManager.default.removeItem(atPath: failFlag) }

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
        recover()
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
            case let .notMounted(mountpoint, stderr): "faultyfs did not mount \(mountpoint) within 10 s: \(stderr)"
            }
        }
    }
}
