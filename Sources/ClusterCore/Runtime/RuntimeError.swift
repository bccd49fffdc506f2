/// Why the runtime could not start or keep running. Each case carries what an
/// operator needs to fix it.
public enum RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A local address could not be bound (not configured on any interface, port in use, ...).
    case bindFailed(address: String, port: Int, reason: String)
    /// `localNode` is not a `[[node]]` of the configuration.
    case unknownLocalNode(String)
    /// The persisted state could not be read: the node must not start.
    case stateUnavailable(StateStoreError)
    /// The runtime was started twice, or used after `stop()`.
    case notRunning

    public var description: String {
        switch self {
        case let .bindFailed(address, port, reason):
            "cannot bind UDP \(address) port \(port): \(reason) (is the address configured on an interface, and the port free?)"
        case let .unknownLocalNode(name):
            "this node '\(name)' is not a [[node]] of the configuration"
        case let .stateUnavailable(error):
            error.description
        case .notRunning:
            "the cluster runtime is not running"
        }
    }
}
