import ClusterCore
import Glibc

/// Why `hactl` could not get an answer from the local daemon.
public enum ControlClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No socket file: the daemon is not running (or another path is configured).
    case noSocket(path: String)
    /// A socket file nobody listens on: the daemon died or is stopped.
    case notListening(path: String)
    /// The socket's permissions keep this user out (mode 0660, group haclient).
    case permissionDenied(path: String)
    case pathTooLong(path: String)
    case timedOut(path: String, milliseconds: Int64)
    /// The daemon closed the connection before answering.
    case closedEarly(path: String)
    /// The daemon's answer could not be understood.
    case protocolError(path: String, detail: String)
    case system(path: String, call: String, errno: Int32)

    public var description: String {
        switch self {
        case let .noSocket(path):
            return "haclusterd is not running on this node (no socket at \(path))"
        case let .notListening(path):
            return "haclusterd is not running on this node (nothing listens on \(path))"
        case let .permissionDenied(path):
            return "permission denied on \(path): run hactl as root or as a member of group '\(ControlAuthorization.defaultGroup)'"
        case let .pathTooLong(path):
            return "control socket path is too long for a Unix socket (max 107 bytes): \(path)"
        case let .timedOut(path, milliseconds):
            return "no answer from haclusterd on \(path) within \(Double(milliseconds) / 1000)s"
        case let .closedEarly(path):
            return "haclusterd closed the connection on \(path) without answering (see its log: journalctl -u haclusterd)"
        case let .protocolError(path, detail):
            return "unexpected answer from haclusterd on \(path): \(detail)"
        case let .system(path, call, code):
            return "control socket \(path): \(call) failed: \(String(cString: strerror(code)))"
        }
    }

    /// `hactl` exit status per the spec: 3 daemon not reachable (not running, or running but
    /// not answering: hung, or it died mid-request), 4 refused, 1 failed.
    public var exitStatus: Int32 {
        switch self {
        case .noSocket, .notListening, .timedOut, .closedEarly: 3
        case .permissionDenied: 4
        case .pathTooLong: 2
        case .protocolError, .system: 1
        }
    }

    /// The `code` of `hactl --json`'s error object.
    public var code: String {
        switch self {
        case .noSocket, .notListening: "not_running"
        case .timedOut, .closedEarly: "not_responding"
        case .permissionDenied: "not_authorized"
        case .pathTooLong, .protocolError, .system: "connection"
        }
    }
}
