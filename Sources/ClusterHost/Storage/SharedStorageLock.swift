import ClusterCore
import FoundationEssentials
import Glibc

/// `flock(LOCK_EX)` on `storage.lock_file`, held through an open file descriptor for as long
/// as the service runs on this node.
///
/// Acquisition uses LOCK_NB and retries every `retryInterval` until `acquireTimeout`, so a
/// stuck holder yields a clear error instead of a hang. The descriptor is O_CLOEXEC: the
/// managed units and helper commands never inherit (and so never prolong) the lock. If the
/// daemon dies, the kernel drops the lock with the descriptor.
///
/// On NFS, Linux emulates flock with POSIX byte-range locks (since 2.6.12), which the server
/// arbitrates between clients; local file systems only exclude processes of the same machine.
public actor SharedStorageLock: StorageLocking {
    public nonisolated let file: String
    public nonisolated let acquireTimeout: Duration
    public nonisolated let retryInterval: Duration
    /// When set, the lock is taken only while this path is a mount point (`require_mount`).
    public nonisolated let requiredMount: String?
    private var descriptor: Int32 = -1

    public init(file: String, acquireTimeout: Duration, retryInterval: Duration = .milliseconds(100), requiredMount: String? = nil) {
        self.file = file
        self.acquireTimeout = acquireTimeout
        self.retryInterval = retryInterval
        self.requiredMount = requiredMount
    }

    public init(_ storage: StorageConfig) {
        self.init(file: storage.lockFile, acquireTimeout: storage.acquireTimeout,
                  requiredMount: storage.requireMount ? storage.path : nil)
    }

    /// One attempt, on a thread of its own: open, flock(LOCK_NB), then check that the path
    /// still names the locked file.
    private enum Attempt: Sendable {
        case locked(Int32)
        case busy(holder: String?)
        case replaced
        case failed(SharedStorageLockError)
    }

    private static func attempt(_ file: String, describeHolder: Bool) -> Attempt {
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { return .failed(.cannotOpen(file: file, errno: errno)) }
        if Syscall.retryingEINTR({ flock(fd, LOCK_EX | LOCK_NB) }) == 0 {
            // Someone may have unlinked and recreated the file between our open and flock;
            // then we would hold a lock on a file nobody else opens any more. Start over.
            if sameFile(fd, file) { return .locked(fd) }
            close(fd)
            return .replaced
        }
        let code = errno
        let holder = code == EWOULDBLOCK && describeHolder ? holder(of: fd) : nil
        close(fd)
        return code == EWOULDBLOCK ? .busy(holder: holder) : .failed(.lockFailed(file: file, errno: code))
    }

    private static func sameFile(_ fd: Int32, _ file: String) -> Bool {
        var opened = stat()
        var current = stat()
        guard fstat(fd, &opened) == 0, lstat(file, &current) == 0 else { return false }
        return opened.st_dev == current.st_dev && opened.st_ino == current.st_ino
    }

    /// Why `path` is not a mount point, nil when it is (from /proc/self/mountinfo: a bind
    /// mount counts, a plain directory on the root file system does not).
    static func mountProblem(_ path: String, file: String) -> SharedStorageLockError? {
        let normalized = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let entry = MountEntry.containing(normalized)
        if entry?.mountPoint == normalized { return nil }
        return .notMounted(file: file, path: normalized, mountedOn: entry?.mountPoint)
    }

    public var isHeld: Bool { descriptor >= 0 }

    /// Takes the lock, retrying until `acquire_timeout`. Each open and flock runs on a thread
    /// of its own, bounded by what is left of `acquire_timeout`: a hung NFS server fails the
    /// acquisition (`hung`) instead of hanging the takeover.
    public func acquire() async throws {
        if descriptor >= 0 { return }
        if let requiredMount, let problem = Self.mountProblem(requiredMount, file: file) { throw problem }
        let clock = ContinuousClock()
        let started = clock.now
        let file = file
        while true {
            let left = acquireTimeout - (clock.now - started)
            // An attempt that comes back after we gave up must not keep a lock nobody knows of.
            let outcome = await DedicatedThread.run(name: "storage lock", timeout: max(left, .milliseconds(500)), late: { late in
                if case .locked(let fd) = late {
                    flock(fd, LOCK_UN)
                    close(fd)
                }
            }) {
                Self.attempt(file, describeHolder: true)
            }
            switch outcome {
            case nil:
                throw SharedStorageLockError.hung(file: file, waited: clock.now - started)
            case .locked(let fd)?:
                descriptor = fd
                return
            case .replaced?:
                if clock.now - started >= acquireTimeout { throw SharedStorageLockError.fileReplaced(file: file) }
            case .failed(let error)?:
                throw error
            case .busy(let holder)?:
                let waited = clock.now - started
                if waited >= acquireTimeout {
                    throw SharedStorageLockError.heldElsewhere(file: file, holder: holder, waited: waited)
                }
                try await Task.sleep(for: min(retryInterval, acquireTimeout - waited))
            }
        }
    }

    public func release() async {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    /// Whether the held lock still guards `file`: the path must name the held descriptor's file
    /// (same st_dev and st_ino) and that file must still have a name (st_nlink > 0). A lock file
    /// removed or replaced (by hand, by a restore, or an NFS server that lost the file) means
    /// another node could lock the new file: the file now at the path (created if missing) is
    /// locked at once when free (`retaken`: the old lock is dropped, the service goes on), and
    /// is `lost` when someone else holds it. The calls run on a thread of their own, bounded by
    /// `acquire_timeout` (a hung NFS mount): no answer is no verdict.
    public func verify() async -> LockCheck {
        guard descriptor >= 0 else { return .intact }
        let fd = descriptor, file = file
        let problem = await DedicatedThread.run(name: "lock check", timeout: max(acquireTimeout, .seconds(1))) { () -> String? in
            var held = stat()
            guard fstat(fd, &held) == 0 else { return "fstat of the held lock failed: \(ErrnoName.describe(errno))" }
            var named = stat()
            guard lstat(file, &named) == 0 else {
                let code = errno
                return code == ENOENT
                    ? "the lock file was removed; the lock held is on a file nobody else can open"
                    : "the lock file cannot be examined: \(ErrnoName.describe(code))"
            }
            guard named.st_dev == held.st_dev, named.st_ino == held.st_ino else {
                return "the lock file was replaced (the lock is held on inode \(held.st_ino), the path now names inode \(named.st_ino)): another node could lock the new file"
            }
            guard held.st_nlink > 0 else { return "the lock file was removed; the lock held is on a file nobody else can open" }
            return nil
        }
        guard let problem = problem ?? nil else { return .intact }
        guard descriptor == fd else { return .intact }  // released or re-taken meanwhile
        let fresh = open(file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fresh >= 0 else { return .lost("\(problem); the file at the path cannot be opened: \(ErrnoName.describe(errno))") }
        guard Syscall.retryingEINTR({ flock(fresh, LOCK_EX | LOCK_NB) }) == 0 else {
            let code = errno
            let holder = code == EWOULDBLOCK ? Self.holder(of: fresh).map { " (\($0))" } ?? "" : ""
            close(fresh)
            return .lost(code == EWOULDBLOCK
                ? "\(problem); the file now at the path is locked by someone else\(holder): two holders"
                : "\(problem); the file now at the path cannot be locked: \(ErrnoName.describe(code))")
        }
        guard refersToSameFile(fresh) else {
            close(fresh)
            return .lost("\(problem); the file at the path changed again while being locked")
        }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = fresh
        return .retaken("\(problem); locked the file now at the path instead")
    }

    // MARK: Re-execution in place

    /// The held descriptor, made inheritable across `execve` (FD_CLOEXEC cleared), for the
    /// next image of the daemon; nil when not held. The lock stays held by this descriptor.
    public func descriptorForExec() -> Int32? {
        guard descriptor >= 0 else { return nil }
        let flags = fcntl(descriptor, F_GETFD)
        guard flags >= 0, fcntl(descriptor, F_SETFD, flags & ~FD_CLOEXEC) == 0 else { return nil }
        return descriptor
    }

    /// Takes over a descriptor inherited from the previous image, after checking that it is
    /// open on `file` and holds the lock (a second flock on the same open file description
    /// succeeds at once). FD_CLOEXEC is set again. Throws (and closes it) otherwise.
    public func adopt(descriptor fd: Int32) throws {
        let flags = fcntl(fd, F_GETFD)
        guard flags >= 0 else { throw SharedStorageLockError.lockFailed(file: file, errno: errno) }
        _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC)
        guard refersToSameFile(fd) else {
            close(fd)
            throw SharedStorageLockError.fileReplaced(file: file)
        }
        guard Syscall.retryingEINTR({ flock(fd, LOCK_EX | LOCK_NB) }) == 0 else {
            let code = errno
            close(fd)
            throw SharedStorageLockError.lockFailed(file: file, errno: code)
        }
        if descriptor >= 0, descriptor != fd { close(descriptor) }
        descriptor = fd
    }

    private func refersToSameFile(_ fd: Int32) -> Bool {
        var opened = stat()
        var current = stat()
        guard fstat(fd, &opened) == 0, lstat(file, &current) == 0 else { return false }
        return opened.st_dev == current.st_dev && opened.st_ino == current.st_ino
    }

    /// "pid 1234 (haclusterd)" from /proc/locks for the FLOCK entry on this file, if visible.
    static func holder(of fd: Int32) -> String? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let device = UInt64(info.st_dev)
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        let key = "\(HexText.twoDigits(major)):\(HexText.twoDigits(minor)):\(UInt64(info.st_ino))"
        guard let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        // e.g. "3: FLOCK  ADVISORY  WRITE 4711 00:2d:1234 0 EOF"; blocked waiters show "->".
        for line in locks.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == key, let pid = Int32(fields[4]) else { continue }
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                .trimmingWhitespace()
            return name.map { "pid \(pid) (\($0))" } ?? "pid \(pid)"
        }
        return nil
    }
}
