import ClusterCore
import ClusterHost
/// Why the runtime could not start or keep running. Each case carries what an
/// operator needs to fix it.
public enum RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A local address could not be bound (not configured on any interface, port in use, ...).
    case bindFailed(address: String, port: Int, reason: String)
    /// `localNode` is not a `[[node]]` of the configuration.
    case unknownLocalNode(String)
    /// The persisted state could not be read: the node must not start.
    case stateUnavailable(StateStoreError)
    /// A node name does not fit the wire format (at most 255 bytes of UTF-8).
    case nodeNameTooLong(String)
    /// `start()` was called on a runtime that is already running.
    case alreadyStarted
    /// The state carried over a re-execution (`systemctl reload`) cannot be restored.
    case handoverRejected(String)
    /// The coordination backend can't be set up (the etcd client: a TLS file, an endpoint).
    case backendUnavailable(String)

    public var description: String {
        switch self {
        case let .bindFailed(address, port, reason):
            "cannot bind UDP \(address) port \(port): \(reason) (is the address configured on an interface, and the port free?)"
        case let .unknownLocalNode(name):
            "this node '\(name)' is not a [[node]] of the configuration"
        case let .stateUnavailable(error):
            error.description
        case let .nodeNameTooLong(name):
            "node name '\(name.prefix(40))...' has \(name.utf8.count) bytes, at most \(WireFormat.maxStringLength) fit in a datagram"
        case .alreadyStarted:
            "the cluster runtime is already running"
        case let .handoverRejected(reason):
            "cannot go on from the previous image's state: \(reason)"
        case let .backendUnavailable(reason):
            "cannot set up the etcd client: \(reason)"
        }
    }
}
