import ClusterCore
#if canImport(Glibc)
import Glibc
#endif

/// Why local state could not be loaded or saved. Every case names the file.
public enum StateStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (`operation` is e.g. "open", "write", "fsync", "rename").
    case io(path: String, operation: String, errno: Int32)
    /// The file exists but its content is not a valid state file: the node must
    /// not start (starting from term 0 could let it vote twice in a term).
    case corrupt(path: String, reason: String)
    /// Written by a newer (or unknown) format version.
    case unsupportedFormat(path: String, found: String, expected: String)

    public var path: String {
        switch self {
        case let .io(path, _, _), let .corrupt(path, _), let .unsupportedFormat(path, _, _): path
        }
    }

    public var description: String {
        switch self {
        case let .io(path, operation, code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .corrupt(path, reason):
            return "state file \(path) is corrupt: \(reason). Refusing to start. "
                + "Restore it from a backup, or, only if a quorum of the other nodes is running and this node is stopped, "
                + "move it away: the node then rejoins with no vote and learns the term and admin state from the cluster"
        case let .unsupportedFormat(path, found, expected):
            return "state file \(path) has format '\(found)', this version reads '\(expected)'. "
                + "Refusing to start: run the version that wrote it, or restore a compatible file"
        }
    }
}
