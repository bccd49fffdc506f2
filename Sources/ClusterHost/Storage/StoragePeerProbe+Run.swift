import ClusterCore
import Foundation
import Glibc

extension StoragePeerProbe {
    /// Runs the probe on this node (the daemon of `node` calls it). Reads only, plus a
    /// non-blocking `flock` attempt that is released at once if it was granted.
    public func run(localNode: String) -> StoragePeerReport {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return StoragePeerReport(node: localNode, path: path, exists: false, isDirectory: false)
        }
        var report = StoragePeerReport(
            node: localNode, path: path, exists: true, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR,
            ownerUID: info.st_uid, ownerGID: info.st_gid, filesystem: MountEntry.containing(path)?.filesystem)
        if let markerFile, let token {
            let content = try? String(contentsOfFile: Self.inside(path, markerFile), encoding: .utf8)
            report.markerMatches = content?.trimmingCharacters(in: .whitespacesAndNewlines) == token
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
        name.hasPrefix("/") ? name : (directory as NSString).appendingPathComponent(name)
    }

    static func tryLock(_ file: String) -> StoragePeerReport.LockAttempt {
        let fd = open(file, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return .failed("open \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .acquired
        }
        let code = errno
        if code == EWOULDBLOCK { return .blocked }
        return .failed("flock \(file): \(String(cString: strerror(code)))")
    }
}
