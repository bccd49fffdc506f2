import ClusterCore
import Glibc

/// A command could not be started (not installed, no permission, out of processes).
public enum ChildProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    case spawnFailed(command: [String], errno: Int32)

    public var description: String {
        switch self {
        case let .spawnFailed(command, code):
            "cannot run \(command.joined(separator: " ")): \(String(cString: strerror(code)))"
        }
    }
}
