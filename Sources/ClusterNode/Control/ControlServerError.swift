import ClusterCore
import ClusterHost
import Glibc

/// Why the control socket could not be set up. Environment errors: the daemon reports them and exits.
public enum ControlServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process answers on the socket (a second haclusterd?).
    case alreadyInUse(path: String)
    /// Something that is not a socket sits at the path; it is left alone.
    case notASocket(path: String)
    case cannotCreateDirectory(path: String, errno: Int32)
    case cannotPrepare(path: String, call: String, errno: Int32)
    case bindFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .alreadyInUse(path):
            return "control socket \(path) is in use by another process (is haclusterd already running?)"
        case let .notASocket(path):
            return "control socket path \(path) exists and is not a socket; remove it or set [cluster] control_socket"
        case let .cannotCreateDirectory(path, errno):
            return "cannot create directory \(path) for the control socket: \(String(cString: strerror(errno)))"
        case let .cannotPrepare(path, call, errno):
            return "control socket \(path): \(call) failed: \(String(cString: strerror(errno)))"
        case let .bindFailed(path, reason):
            return "cannot listen on control socket \(path): \(reason)"
        }
    }
}
