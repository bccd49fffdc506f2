import ClusterCore
import Glibc

/// Why the shared storage lock could not be taken; names the file and, when the kernel
/// tells (`/proc/locks`), the process holding it.
public enum SharedStorageLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The lock file could not be opened or created (storage not mounted, permissions, ...).
    case cannotOpen(file: String, errno: Int32)
    /// Another holder kept the lock for the whole `acquire_timeout`.
    case heldElsewhere(file: String, holder: String?, waited: Duration)
    /// flock failed for another reason (e.g. ENOLCK on a file system without locks).
    case lockFailed(file: String, errno: Int32)
    /// The file was replaced (deleted and recreated) while we locked it: the lock would guard nothing.
    case fileReplaced(file: String)
    /// `[storage] require_mount`: the storage path is not a mount point (the NAS is not mounted).
    case notMounted(file: String, path: String, mountedOn: String?)
    /// open or flock did not return within `acquire_timeout` (a hung NFS server).
    case hung(file: String, waited: Duration)

    public var file: String {
        switch self {
        case let .cannotOpen(file, _), let .heldElsewhere(file, _, _), let .lockFailed(file, _), let .fileReplaced(file),
             let .notMounted(file, _, _), let .hung(file, _):
            file
        }
    }

    public var description: String {
        switch self {
        case let .cannotOpen(file, code) where code == EROFS:
            // The shipped unit mounts the file system read-only (ProtectSystem=strict) except
            // the paths it names: the shared storage is the operator's to add.
            "cannot open the storage lock file \(file): \(String(cString: strerror(code))) (under systemd, let the daemon write there: systemctl edit haclusterd, add [Service] ReadWritePaths= with the [storage] path, then systemctl restart haclusterd where the service does not run)"
        case let .cannotOpen(file, code):
            "cannot open the storage lock file \(file): \(String(cString: strerror(code)))"
        case let .heldElsewhere(file, holder, waited):
            "the storage lock \(file) is held by \(holder ?? "another process (not visible from this node)"); gave up after \(waited)"
        case let .lockFailed(file, code):
            "flock on \(file) failed: \(String(cString: strerror(code)))"
        case let .fileReplaced(file):
            "the storage lock file \(file) was replaced while being locked"
        case let .notMounted(_, path, mountedOn):
            "the shared storage \(path) is not mounted (it is a plain directory\(mountedOn.map { " on the file system mounted at \($0)" } ?? "")): "
                + "the lock is taken only on the mounted storage ([storage] require_mount = true)"
        case let .hung(file, waited):
            "open or flock of the storage lock \(file) did not return within \(waited) (storage hung?)"
        }
    }
}
