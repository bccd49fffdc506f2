import ClusterCore
import ClusterHost
import CACL
import FoundationEssentials
import SystemPackage
import Glibc

/// The checks of `hactl check-storage PATH`: the manual `flock` test of HA
/// setup guides, POSIX ACL support, NFS silly rename, and (through the
/// daemons) the same storage, exclusive `flock` and the same uids on every node.
public struct StorageCheck: Sendable {
    public var path: String
    /// The second process for the on-node flock test.
    public var lockProbe: LockProbe
    /// The user the service runs as (compared across nodes); nil: not compared.
    public var serviceUser: String?

    public init(path: String, lockProbe: LockProbe, serviceUser: String? = nil) {
        self.path = path
        self.lockProbe = lockProbe
        self.serviceUser = serviceUser
    }

    /// Prefix of the scratch files the checks create (and remove) in the directory.
    public static let scratchPrefix = StoragePeerProbe.scratchPrefix

    // MARK: - on this node

    public func runLocal() -> [StorageFinding] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            return [StorageFinding(.path, .problem, "\(path): \(reason)", fix: "mount the shared storage at \(path) on every node (the same path everywhere), or give the right path")]
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            return [StorageFinding(.path, .problem, "\(path) is not a directory", fix: "give the directory of the shared storage (the [storage] path), not a file")]
        }
        guard access(path, W_OK) == 0 else {
            return [StorageFinding(.path, .problem, "\(path) is not writable by uid \(getuid())", fix: "run check-storage as root, or make \(path) writable")]
        }
        var findings = [StorageFinding(.path, .ok, "\(path) is a writable directory (owner uid \(info.st_uid), gid \(info.st_gid))")]
        let mount = MountEntry.containing(path)
        findings.append(filesystemFinding(mount))
        findings.append(contentsOf: checkFlock())
        if let mount, mount.isNFS {
            findings.append(nfsLockingFinding(mount))
        }
        findings.append(contentsOf: checkACL(filesystem: mount?.filesystem))
        findings.append(checkSillyRename())
        return findings
    }

    private func filesystemFinding(_ mount: MountEntry?) -> StorageFinding {
        guard let mount else { return StorageFinding(.filesystem, .warning, "cannot find the mount of \(path) in /proc/self/mountinfo") }
        let local = ["tmpfs", "ramfs", "ext4", "ext3", "xfs", "btrfs", "overlay"].contains(mount.filesystem)
        let note = local ? " (a local filesystem type: fine on shared block storage taken over by one node at a time; the cross-node checks show whether every node sees the same directory)" : ""
        return StorageFinding(.filesystem, .ok, "\(path) is on \(mount.filesystem) \(mount.source) mounted at \(mount.mountPoint)\(note)")
    }

    private func nfsLockingFinding(_ mount: MountEntry) -> StorageFinding {
        let localLock = mount.options.first { $0.hasPrefix("local_lock=") }.map { String($0.dropFirst("local_lock=".count)) }
        if mount.options.contains("nolock") || localLock == "all" || localLock == "flock" {
            let option = mount.options.contains("nolock") ? "nolock" : "local_lock=\(localLock!)"
            return StorageFinding(
                .nfsLocking, .problem,
                "NFS mount \(mount.mountPoint) has \(option): flock() is local to each node, two nodes can both hold the lock file",
                fix: "remount \(mount.mountPoint) without \(option) (NFSv4: local_lock=none, the default) so the server arbitrates locks")
        }
        return StorageFinding(.nfsLocking, .ok, "NFS mount \(mount.mountPoint) forwards flock() to the server (local_lock=\(localLock ?? "none"))")
    }

    /// Two processes on this node: while this one holds LOCK_EX, the probe must be refused;
    /// once released, the probe must get it.
    func checkFlock() -> [StorageFinding] {
        let file = scratchFile("lock")
        let fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            return [StorageFinding(.flock, .problem, "cannot create \(file): \(String(cString: strerror(errno)))", fix: "make \(path) writable for root")]
        }
        defer { unlink(file) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            return [StorageFinding(
                .flock, .problem, "flock(LOCK_EX) on \(file) failed: \(reason)",
                fix: "the filesystem must support flock(); on NFS make sure locking works (lockd/statd for NFSv3, or NFSv4)")]
        }
        let whileHeld = lockProbe.attempt(file)
        flock(fd, LOCK_UN)
        close(fd)
        let afterRelease = lockProbe.attempt(file)
        switch (whileHeld, afterRelease) {
        case (.blocked, .acquired):
            return [StorageFinding(.flock, .ok, "flock is exclusive between two processes on this node, and released on close")]
        case (.acquired, _):
            return [StorageFinding(
                .flock, .problem, "a second process got LOCK_EX on \(file) while this one held it: flock is not exclusive on \(path)",
                fix: "use a filesystem with working flock(): local or block storage, NFSv4, or NFSv3 with lockd (not nolock/local_lock)")]
        case (.blocked, .blocked):
            return [StorageFinding(
                .flock, .problem, "the lock on \(file) stayed held after it was released",
                fix: "the filesystem does not release flock() on close; do not use it for the cluster lock")]
        case let (.failed(reason), _), let (_, .failed(reason)):
            return [StorageFinding(.flock, .problem, "the second process could not test the lock: \(reason)", fix: "see the message; check-storage needs to run a helper process")]
        }
    }

    /// POSIX ACLs: an access ACL on a file, and a default ACL on a directory inherited by a new file.
    func checkACL(filesystem: String?) -> [StorageFinding] {
        let fsName = filesystem ?? "this filesystem"
        let noSupportFix = "the service needs POSIX ACLs on its data directory: use ext4/xfs (ACLs on by default) or a filesystem mounted with the `acl` option; NFSv4 needs a server that exports ACLs; tmpfs has them, ramfs never does"
        let file = scratchFile("acl")
        let fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            return [StorageFinding(.acl, .problem, "cannot create \(file): \(String(cString: strerror(errno)))")]
        }
        close(fd)
        defer { unlink(file) }
        // 65534 is nobody: a named-user entry is what plain mode bits cannot express.
        let named = "user:65534:r--"
        switch setAndReadACL(file, type: acl_type_t(ACL_TYPE_ACCESS), text: "u::rw-,u:65534:r--,g::r--,m::r--,o::---") {
        case let .failure(failure) where failure.code == EOPNOTSUPP || failure.code == ENOTSUP:
            return [
                StorageFinding(.acl, .problem, "POSIX ACLs are not supported on \(path) (\(fsName)): acl_set_file failed with EOPNOTSUPP", fix: noSupportFix),
                StorageFinding(.defaultACL, .skipped, "no POSIX ACL support"),
            ]
        case let .failure(failure):
            return [StorageFinding(.acl, .problem, "acl_set_file on \(file) failed: \(String(cString: strerror(failure.code)))", fix: noSupportFix)]
        case let .success(text) where !text.contains(named):
            return [StorageFinding(.acl, .problem, "an ACL entry set on \(file) was not kept (read back: \(text))", fix: noSupportFix)]
        case .success:
            break
        }
        var findings = [StorageFinding(.acl, .ok, "POSIX access ACLs work on \(path) (\(fsName))")]

        let directory = scratchFile("acldir")
        guard mkdir(directory, 0o750) == 0 else {
            findings.append(StorageFinding(.defaultACL, .skipped, "cannot create \(directory): \(String(cString: strerror(errno)))"))
            return findings
        }
        defer { rmdir(directory) }
        if case let .failure(failure) = setAndReadACL(directory, type: acl_type_t(ACL_TYPE_DEFAULT), text: "u::rwx,u:65534:r-x,g::r-x,m::r-x,o::---") {
            findings.append(StorageFinding(.defaultACL, .problem, "a default ACL cannot be set on a directory of \(path): \(String(cString: strerror(failure.code)))", fix: noSupportFix))
            return findings
        }
        let child = FilePath(directory).appending("inherited").string
        let childFD = open(child, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard childFD >= 0 else {
            findings.append(StorageFinding(.defaultACL, .skipped, "cannot create \(child): \(String(cString: strerror(errno)))"))
            return findings
        }
        close(childFD)
        defer { unlink(child) }
        if case let .success(text) = readACL(child, type: acl_type_t(ACL_TYPE_ACCESS)), text.contains("user:65534:") {
            findings.append(StorageFinding(.defaultACL, .ok, "default ACLs are inherited by new files"))
        } else {
            findings.append(StorageFinding(.defaultACL, .problem, "a new file did not inherit the directory's default ACL", fix: noSupportFix))
        }
        return findings
    }

    private func setAndReadACL(_ file: String, type: acl_type_t, text: String) -> Result<String, ACLFailure> {
        guard let acl = acl_from_text(text) else { return .failure(ACLFailure(code: errno)) }
        defer { acl_free(UnsafeMutableRawPointer(acl)) }
        guard acl_set_file(file, type, acl) == 0 else { return .failure(ACLFailure(code: errno)) }
        return readACL(file, type: type)
    }

    private func readACL(_ file: String, type: acl_type_t) -> Result<String, ACLFailure> {
        guard let acl = acl_get_file(file, type) else { return .failure(ACLFailure(code: errno)) }
        defer { acl_free(UnsafeMutableRawPointer(acl)) }
        guard let text = acl_to_any_text(acl, nil, CChar(UInt8(ascii: ",")), Int32(TEXT_NUMERIC_IDS)) else { return .failure(ACLFailure(code: errno)) }
        defer { acl_free(UnsafeMutableRawPointer(text)) }
        return .success(String(cString: text))
    }

    /// NFS renames a file that is unlinked while open to `.nfsXXXX` until it is closed.
    func checkSillyRename() -> StorageFinding {
        let file = scratchFile("unlink")
        let before = nfsLeftovers()
        let fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            return StorageFinding(.sillyRename, .skipped, "cannot create \(file): \(String(cString: strerror(errno)))")
        }
        _ = "check".withCString { write(fd, $0, 5) }
        unlink(file)
        let appeared = nfsLeftovers().subtracting(before)
        close(fd)
        guard appeared.isEmpty else {
            return StorageFinding(
                .sillyRename, .problem,
                "an open file unlinked on \(path) reappeared as \(appeared.sorted().joined(separator: ", ")) (NFS silly rename): after a failover, such leftovers of the dead node make directory removal fail with EBUSY and keep space in use",
                fix: "prefer shared block storage handed over by the cluster (ext4/xfs on a SAN LUN), or make sure the service tolerates .nfs* files and that they are cleaned only when no node has them open")
        }
        return StorageFinding(.sillyRename, .ok, "an open file unlinked on \(path) left no .nfs* file behind")
    }

    private func nfsLeftovers() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return Set(names.filter { $0.hasPrefix(".nfs") })
    }

    private func scratchFile(_ purpose: String) -> String {
        let name = "\(Self.scratchPrefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(purpose)"
        return FilePath(path).appending(name).string
    }
}

/// An errno from libacl, as a `Result` failure.
struct ACLFailure: Error {
    var code: Int32
}
