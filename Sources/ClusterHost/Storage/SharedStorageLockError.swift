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

    public var file: String {
        switch self {
        case let .cannotOpen(file, _), let .heldElsewhere(file, _, _), let .lockFailed(file, _), let .fileReplaced(file):
            file
        }
    }

    public var description: String {
        switch self {
        case let .cannotOpen(file, code):
            "cannot open the storage lock file \(file): \(String(cString: strerror(code)))"
        case let .heldElsewhere(file, holder, waited):
            "the storage lock \(file) is held by \(holder ?? "another process (not visible from this node)"); gave up after \(waited)"
        case let .lockFailed(file, code):
            "flock on \(file) failed: \(String(cString: strerror(code)))"
        case let .fileReplaced(file):
            "the storage lock file \(file) was replaced while being locked"
        }
    }
}
