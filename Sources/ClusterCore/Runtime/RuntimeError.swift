/// Why the runtime could not start or keep running. Each case carries what an
/// operator needs to fix it.
public enum RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A local address could not be bound (not configured on any interface, port in use, ...).
    case bindFailed(address: String, port: Int, reason: String)
    /// `localNode` is not a `[[node]]` of the configuration.
    case unknownLocalNode(String)
    /// The persisted state could not be read: the node must not start.
    case stateUnavailable(StateStoreError)
    /// The cluster key is shorter than `ClusterKey.minimumLength` bytes.
    case keyTooShort(bytes: Int)
    /// `start()` was called on a runtime that is already running.
    case alreadyStarted

    public var description: String {
        switch self {
        case let .bindFailed(address, port, reason):
            "cannot bind UDP \(address) port \(port): \(reason) (is the address configured on an interface, and the port free?)"
        case let .unknownLocalNode(name):
            "this node '\(name)' is not a [[node]] of the configuration"
        case let .stateUnavailable(error):
            error.description
        case let .keyTooShort(bytes):
            "the cluster key has \(bytes) bytes, at least 32 are needed (hactl keygen)"
        case .alreadyStarted:
            "the cluster runtime is already running"
        }
    }
}
