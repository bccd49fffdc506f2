import ClusterCore
import ClusterHost
import Glibc

/// Why the daemon could not start or had to stop. Every case names what the
/// operator has to look at; `exitStatus` follows the spec (2: configuration).
enum DaemonError: Error, Equatable, CustomStringConvertible {
    /// The configuration file is invalid; `message` is the loader's one-line error.
    case configuration(message: String)
    /// `--node NAME` names no configured node.
    case unknownNode(name: String, known: [String])
    /// No `--node`, no configured address is local, and the hostname is no node name.
    case noLocalNode(hostname: String, known: [String])
    /// Addresses of several nodes are local: the node must be named with `--node`.
    case ambiguousLocalNode(candidates: [String])
    /// A test hook variable has a value that is not a duration.
    case badTestHook(variable: String, value: String)
    /// Test-only self-fence variables that do not go together (see `TestHooks`).
    case conflictingTestHooks(String)
    /// A directory the daemon needs could not be created or is unusable.
    case directory(path: String, purpose: String, errno: Int32)
    /// The control socket could not be opened.
    case controlSocket(path: String, reason: String)
    /// A component could not start (state directory unreadable, port taken, watchdog device, ...).
    case startup(component: String, reason: String)

    var exitStatus: Int32 {
        switch self {
        case .configuration, .unknownNode, .noLocalNode, .ambiguousLocalNode, .badTestHook, .conflictingTestHooks: 2
        case .directory, .controlSocket, .startup: 1
        }
    }

    var description: String {
        switch self {
        case let .configuration(message):
            return message
        case let .unknownNode(name, known):
            return "--node \(name): no such node in the configuration (known nodes: \(known.joined(separator: ", ")))"
        case let .noLocalNode(hostname, known):
            return "cannot tell which node this is: no configured node address is on a local interface and the "
                + "hostname '\(hostname)' is not a node name; start with --node NAME (known nodes: \(known.joined(separator: ", ")))"
        case let .ambiguousLocalNode(candidates):
            return "addresses of several nodes are local (\(candidates.joined(separator: ", "))); start with --node NAME"
        case let .badTestHook(variable, value):
            return "\(variable)=\(value): expected a duration such as \"1500ms\" or \"2s\" (test-only variable)"
        case let .conflictingTestHooks(message):
            return "\(message) (test-only variables)"
        case let .directory(path, purpose, code):
            return "cannot create the \(purpose) \(path): \(String(cString: strerror(code)))"
        case let .controlSocket(path, reason):
            return "cannot open the control socket \(path): \(reason)"
        case let .startup(component, reason):
            return "cannot start the \(component): \(reason)"
        }
    }
}
