#if Etcd
import ClusterCore

/// Why an etcd call failed. Every case names the endpoint that answered (or did not).
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer in time, or no connection (the member is down or unreachable).
    case unavailable(EtcdConfig.Endpoint, String)
    /// The member answered with an error (etcd's gRPC status and message).
    case failed(EtcdConfig.Endpoint, code: String, String)
    /// The lease is gone on the server (expired or revoked): a keep-alive answered TTL 0.
    case leaseExpired(EtcdConfig.Endpoint, lease: Int64)
    /// The answer was not what etcd's API promises.
    case malformed(EtcdConfig.Endpoint, String)
    /// A key of this cluster holds a value haclusterd did not write (another writer, or damage).
    case badValue(key: String, String)

    /// The endpoint that answered (or did not); nil for a bad value, whichever member served it.
    public var endpoint: EtcdConfig.Endpoint? {
        switch self {
        case .unavailable(let endpoint, _), .failed(let endpoint, _, _), .leaseExpired(let endpoint, _), .malformed(let endpoint, _):
            endpoint
        case .badValue:
            nil
        }
    }

    public var description: String {
        switch self {
        case .unavailable(let endpoint, let detail): "etcd \(endpoint): unavailable: \(detail)"
        case .failed(let endpoint, let code, let message): "etcd \(endpoint): \(code): \(message)"
        case .leaseExpired(let endpoint, let lease): "etcd \(endpoint): lease \(String(lease, radix: 16)) has expired"
        case .malformed(let endpoint, let detail): "etcd \(endpoint): unexpected answer: \(detail)"
        case .badValue(let key, let detail): "etcd key \(key): \(detail)"
        }
    }
}
#endif
