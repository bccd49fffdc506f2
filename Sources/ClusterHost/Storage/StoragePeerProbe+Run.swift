import ClusterCore
import FoundationEssentials
import SystemPackage
import Glibc

extension StoragePeerProbe {
    /// Runs the probe on this node (the daemon of `node` calls it, after `refusal(storagePath:)`).
    /// Reads only (at most 256 bytes of a regular file, never through a symlink), plus a
    /// non-blocking `flock` attempt that is released at once if it was granted. Blocks only on a
    /// hung storage: callers bound it (`runBounded`).
    public func run(localNode: String) -> StoragePeerReport {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return StoragePeerReport(node: localNode, path: path, exists: false, isDirectory: false)
        }
        var report = StoragePeerReport(
            node: localNode, path: path, exists: true, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR,
            ownerUID: info.st_uid, ownerGID: info.st_gid, filesystem: MountEntry.containing(path)?.filesystem)
        if let markerFile, let token {
            let content = Self.readSmallRegularFile(Self.inside(path, markerFile), limit: 256)
            report.markerMatches = content?.trimmingWhitespace() == token
        }
        if let lockFile {
            report.lock = Self.tryLock(Self.inside(path, lockFile))
        }
        if let user {
            report.userUID = ControlAuthorization.userID(named: user)
        }
        return report
    }

    /// `name` inside the storage directory (a relative name), or `name` itself when absolute.
    static func inside(_ directory: String, _ name: String) -> String {
        name.hasPrefix("/") ? name : FilePath(directory).appending(name).string
    }

    /// Opens a file the probe may touch: never through a symlink, never blocking (a FIFO), never a
    /// controlling terminal; then only a regular file is kept. Returns the descriptor or why not.
    enum Opened {
        case descriptor(Int32)
        case refused(String)
    }

    static func openRegular(_ file: String) -> Opened {
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return .refused("open \(file): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return .refused("\(file) is not a regular file")
        }
        return .descriptor(fd)
    }

    /// At most `limit` bytes of a regular file (nil: not one, or unreadable).
    static func readSmallRegularFile(_ file: String, limit: Int) -> String? {
        guard case let .descriptor(fd) = openRegular(file) else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = read(fd, &buffer, limit)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    static func tryLock(_ file: String) -> StoragePeerReport.LockAttempt {
        let fd: Int32
        switch openRegular(file) {
        case let .descriptor(opened): fd = opened
        case let .refused(reason): return .failed(reason)
        }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .acquired
        }
        let code = errno
        if code == EWOULDBLOCK { return .blocked }
        return .failed("flock \(file): \(String(cString: strerror(code)))")
    }

    /// `run` on a thread of its own, given up after `timeout` (a hung NFS mount): nil then.
    public func runBounded(localNode: String, timeout: Duration = .seconds(10)) async -> StoragePeerReport? {
        let probe = self
        return await DedicatedThread.run(name: "storage probe", timeout: timeout) { probe.run(localNode: localNode) }
    }
}
