#if Etcd
import ClusterCore
import FoundationEssentials
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

/// The calls of etcd's v3 API the backend makes: leases, one-key reads, transactions and
/// member status. One gRPC connection per endpoint; calls go to the endpoint that answered
/// last, and move on to the next one when it is unavailable (each endpoint tried once per call).
///
/// Every call has a deadline (`requestTimeout`). A call that failed as `.unavailable` may
/// still have been applied: callers retry only what is safe to repeat (transactions guarded
/// by a compare, lease keep-alives, reads).
public final class EtcdClient: Sendable {
    public typealias Transport = HTTP2ClientTransport.Posix

    /// One key as etcd stores it.
    public struct KeyValue: Sendable, Equatable {
        public var key: String
        public var value: [UInt8]
        public var createRevision: Int64
        public var modRevision: Int64
        /// 0: not bound to a lease.
        public var lease: Int64
    }

    /// A lease the server granted.
    public struct Lease: Sendable, Equatable {
        public var id: Int64
        public var ttl: Duration
    }

    /// A transaction's condition on one key.
    public enum Compare: Sendable, Equatable {
        /// The key's create revision (0: the key does not exist).
        case createRevision(String, equals: Int64)
        /// The key's last modification revision (0: the key does not exist).
        case modRevision(String, equals: Int64)
    }

    /// One operation of a transaction branch.
    public enum Operation: Sendable, Equatable {
        case put(String, [UInt8], lease: Int64 = 0)
        case delete(String)
        case get(String)
    }

    /// What a transaction did: which branch ran, the store's revision after it, and the
    /// answer of each `.get` of that branch, in order.
    public struct TxnResult: Sendable, Equatable {
        public var succeeded: Bool
        public var revision: Int64
        public var gets: [KeyValue?]
    }

    /// A change of a watched key.
    public enum WatchEvent: Sendable, Equatable {
        case put(KeyValue)
        /// The key was deleted (or its lease expired) at `revision`.
        case delete(key: String, revision: Int64)
    }

    /// A member's own view, from its Maintenance.Status.
    public struct MemberStatus: Sendable, Equatable {
        public var endpoint: EtcdConfig.Endpoint
        public var memberID: UInt64
        public var leaderID: UInt64
        public var raftTerm: UInt64
        public var version: String
        /// Alarms or errors the member reports (empty when healthy).
        public var errors: [String]
        public var isLeader: Bool { memberID == leaderID && leaderID != 0 }
    }

    private struct Connection: Sendable {
        let endpoint: EtcdConfig.Endpoint
        let client: GRPCClient<Transport>
    }

    public let endpoints: [EtcdConfig.Endpoint]
    public let requestTimeout: Duration
    private let connections: [Connection]
    private let preferred = Mutex(0)

    /// Builds the connections (nothing is sent until `run()` runs and a call is made).
    /// Throws when a TLS file can't be used or an endpoint can't be resolved as written.
    public init(config: EtcdConfig, requestTimeout: Duration = .seconds(1)) throws(EtcdError) {
        precondition(!config.endpoints.isEmpty, "validated config: [etcd] endpoints is not empty")
        self.endpoints = config.endpoints
        self.requestTimeout = requestTimeout
        var connections: [Connection] = []
        for endpoint in config.endpoints {
            let target: any ResolvableTarget
            switch endpoint.address?.family {
            case .ipv4?: target = .ipv4(address: endpoint.host, port: endpoint.port)
            case .ipv6?: target = .ipv6(address: endpoint.host, port: endpoint.port)
            case nil: target = .dns(host: endpoint.host, port: endpoint.port)
            }
            let security: Transport.TransportSecurity
            if endpoint.tls {
                security = .tls { tls in
                    if let ca = config.caFile {
                        tls.trustRoots = .certificates([.file(path: ca, format: .pem)])
                    }
                    if let cert = config.certFile, let key = config.keyFile {
                        tls.certificateChain = [.file(path: cert, format: .pem)]
                        tls.privateKey = .file(path: key, format: .pem)
                    }
                }
            } else {
                security = .plaintext
            }
            do {
                var transportConfig = Transport.Config.defaults
                // Connections stay open between keep-alives (no reconnect in the critical path),
                // writes are flushed at once, and a restarted member is reconnected within a second.
                transportConfig.connection.maxIdleTime = nil
                transportConfig.connection.flushCoalescing = nil
                transportConfig.backoff.initial = .milliseconds(100)
                transportConfig.backoff.max = .seconds(1)
                let transport = try Transport(target: target, transportSecurity: security, config: transportConfig)
                connections.append(Connection(endpoint: endpoint, client: GRPCClient(transport: transport)))
            } catch {
                throw .unavailable(endpoint, "can't set up the connection: \(error)")
            }
        }
        self.connections = connections
    }

    /// Runs the connections until `close()`. Start it before the first call.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask { try? await connection.client.runConnections() }
            }
        }
    }

    /// Ends every connection; calls in flight finish first, `run()` returns.
    public func close() {
        for connection in connections { connection.client.beginGracefulShutdown() }
    }

    // MARK: Leases

    public func grantLease(ttl: Duration) async throws(EtcdError) -> Lease {
        var request = Etcdserverpb_LeaseGrantRequest()
        request.ttl = ttl.components.seconds
        return try await call { connection, options throws(EtcdError) in
            let response = try await Self.rpc(connection.endpoint) {
                try await Etcdserverpb_Lease.Client(wrapping: connection.client).leaseGrant(request, options: options)
            }
            guard response.error.isEmpty else { throw .failed(connection.endpoint, code: "lease grant", response.error) }
            guard response.id != 0, response.ttl > 0 else {
                throw .malformed(connection.endpoint, "lease grant answered ID \(response.id), TTL \(response.ttl)")
            }
            return Lease(id: response.id, ttl: .seconds(response.ttl))
        }
    }

    /// One keep-alive round trip: the TTL the server set again. Throws `.leaseExpired` when the
    /// server no longer knows the lease.
    public func keepAlive(_ lease: Int64) async throws(EtcdError) -> Duration {
        try await call { connection, options throws(EtcdError) in
            let ttl: Int64? = try await Self.rpc(connection.endpoint) {
                try await Etcdserverpb_Lease.Client(wrapping: connection.client).leaseKeepAlive(options: options) { writer in
                    var request = Etcdserverpb_LeaseKeepAliveRequest()
                    request.id = lease
                    try await writer.write(request)
                } onResponse: { response in
                    for try await message in response.messages { return message.ttl }
                    return nil
                }
            }
            guard let ttl else { throw .malformed(connection.endpoint, "keep-alive stream closed without an answer") }
            guard ttl > 0 else { throw .leaseExpired(connection.endpoint, lease: lease) }
            return .seconds(ttl)
        }
    }

    /// Revokes the lease: the server deletes every key bound to it at once.
    public func revoke(_ lease: Int64) async throws(EtcdError) {
        var request = Etcdserverpb_LeaseRevokeRequest()
        request.id = lease
        try await call { connection, options throws(EtcdError) in
            _ = try await Self.rpc(connection.endpoint) {
                try await Etcdserverpb_Lease.Client(wrapping: connection.client).leaseRevoke(request, options: options)
            }
        }
    }

    // MARK: Keys

    /// The key, or nil when it does not exist. Linearizable (read through the etcd leader).
    public func get(_ key: String) async throws(EtcdError) -> KeyValue? {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        return try await call { connection, options throws(EtcdError) in
            let response = try await Self.rpc(connection.endpoint) {
                try await Etcdserverpb_KV.Client(wrapping: connection.client).range(request, options: options)
            }
            return response.kvs.first.map(Self.keyValue)
        }
    }

    /// Every key under `prefix` (the keys that start with it) and the store's revision of the
    /// read. Linearizable, one request.
    public func range(prefix: String) async throws(EtcdError) -> (keys: [KeyValue], revision: Int64) {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(prefix.utf8)
        request.rangeEnd = Data(Self.prefixEnd(Array(prefix.utf8)))
        return try await call { connection, options throws(EtcdError) in
            let response = try await Self.rpc(connection.endpoint) {
                try await Etcdserverpb_KV.Client(wrapping: connection.client).range(request, options: options)
            }
            return (response.kvs.map(Self.keyValue), response.header.revision)
        }
    }

    /// The end of the range of keys starting with `prefix`: the prefix with its last byte below
    /// 0xff incremented (etcd's convention; "\0" means every key when the prefix is all 0xff).
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }

    /// One transaction: `success` runs when every compare holds, `failure` otherwise.
    public func txn(_ compares: [Compare], success: [Operation], failure: [Operation] = []) async throws(EtcdError) -> TxnResult {
        var request = Etcdserverpb_TxnRequest()
        request.compare = compares.map(Self.compare)
        request.success = success.map(Self.requestOp)
        request.failure = failure.map(Self.requestOp)
        return try await call { connection, options throws(EtcdError) in
            let response = try await Self.rpc(connection.endpoint) {
                try await Etcdserverpb_KV.Client(wrapping: connection.client).txn(request, options: options)
            }
            var gets: [KeyValue?] = []
            for op in response.responses {
                if case .responseRange(let range)? = op.response { gets.append(range.kvs.first.map(Self.keyValue)) }
            }
            return TxnResult(succeeded: response.succeeded, revision: response.header.revision, gets: gets)
        }
    }

    /// Calls `handle` for every change of `key` from `fromRevision` on (0: from now), in order,
    /// until the task is cancelled (returns) or the watch fails (throws: the caller watches again
    /// from the revision after the last event it saw, on the next endpoint). No deadline: a dead
    /// member is noticed by HTTP/2 keepalive pings.
    /// `prefix`: every key that starts with `key`, not only `key` itself.
    public func watch(_ key: String, prefix: Bool = false, fromRevision: Int64 = 0,
                      _ handle: @escaping @Sendable (WatchEvent) async -> Void) async throws(EtcdError) {
        let index = preferred.withLock { $0 }
        let connection = connections[index]
        var create = Etcdserverpb_WatchCreateRequest()
        create.key = Data(key.utf8)
        if prefix { create.rangeEnd = Data(Self.prefixEnd(Array(key.utf8))) }
        create.startRevision = fromRevision
        var watchRequest = Etcdserverpb_WatchRequest()
        watchRequest.requestUnion = .createRequest(create)
        let request = watchRequest
        let endpoint = connection.endpoint
        do {
            try await Self.rpc(endpoint) {
                try await Etcdserverpb_Watch.Client(wrapping: connection.client).watch { writer in
                    try await writer.write(request)
                    // Closing the request stream would end the watch: keep it open until cancelled.
                    while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
                } onResponse: { response in
                    for try await message in response.messages {
                        if message.canceled || message.compactRevision > 0 {
                            throw WatchEnded(reason: message.compactRevision > 0
                                ? "revision \(fromRevision) was compacted (oldest kept: \(message.compactRevision))"
                                : "the member cancelled the watch: \(message.cancelReason)")
                        }
                        for event in message.events {
                            switch event.type {
                            case .delete: await handle(.delete(key: String(decoding: event.kv.key, as: UTF8.self), revision: event.kv.modRevision))
                            default: await handle(.put(Self.keyValue(event.kv)))
                            }
                        }
                    }
                }
            }
        } catch {
            if Task.isCancelled { return }
            if case .unavailable = error { preferred.withLock { if $0 == index { $0 = (index + 1) % connections.count } } }
            throw error
        }
    }

    private struct WatchEnded: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    // MARK: Members

    /// The status of one endpoint's member, asked of that endpoint only.
    public func status(of endpoint: EtcdConfig.Endpoint) async throws(EtcdError) -> MemberStatus {
        guard let connection = connections.first(where: { $0.endpoint == endpoint }) else {
            preconditionFailure("status(of:) takes one of the client's endpoints")
        }
        let options = callOptions
        let response = try await Self.rpc(endpoint) {
            try await Etcdserverpb_Maintenance.Client(wrapping: connection.client).status(Etcdserverpb_StatusRequest(), options: options)
        }
        return MemberStatus(endpoint: endpoint, memberID: response.header.memberID, leaderID: response.leader,
                            raftTerm: response.raftTerm, version: response.version, errors: response.errors)
    }

    // MARK: Plumbing

    /// Every call but a watch: etcd's defaults with the request deadline.
    private var callOptions: CallOptions {
        var options = CallOptions.defaults
        options.timeout = requestTimeout
        return options
    }

    /// Runs `body` on the preferred connection, then on each next one while they are unavailable.
    private func call<T: Sendable>(
        _ body: (Connection, CallOptions) async throws(EtcdError) -> T
    ) async throws(EtcdError) -> T {
        let options = callOptions
        let first = preferred.withLock { $0 }
        var lastError: EtcdError?
        for step in 0..<connections.count {
            let index = (first + step) % connections.count
            do {
                let result = try await body(connections[index], options)
                if step > 0 { preferred.withLock { $0 = index } }
                return result
            } catch {
                guard case .unavailable = error else { throw error }
                lastError = error
            }
        }
        throw lastError!
    }

    /// Maps gRPC's errors: no connection or no answer in time is `.unavailable`; any other
    /// status is etcd's own error.
    private static func rpc<T: Sendable>(_ endpoint: EtcdConfig.Endpoint, _ body: () async throws -> T) async throws(EtcdError) -> T {
        do {
            return try await body()
        } catch let ended as WatchEnded {
            throw .failed(endpoint, code: "watch", ended.reason)
        } catch let error as RPCError {
            switch error.code {
            case .unavailable, .deadlineExceeded, .cancelled:
                // A refused TLS handshake (either side) shows only as a connection closed early.
                let tlsHint = endpoint.tls && error.message.contains("before completing the HTTP/2 connection preface")
                    ? " (the TLS handshake failed: check [etcd] ca_file, cert_file and key_file against the member's certificates)" : ""
                throw .unavailable(endpoint, error.message + tlsHint)
            default:
                throw .failed(endpoint, code: "\(error.code)", error.message)
            }
        } catch {
            throw .unavailable(endpoint, "\(error)")
        }
    }

    private static func keyValue(_ kv: Mvccpb_KeyValue) -> KeyValue {
        KeyValue(key: String(decoding: kv.key, as: UTF8.self), value: Array(kv.value),
                 createRevision: kv.createRevision, modRevision: kv.modRevision, lease: kv.lease)
    }

    private static func compare(_ compare: Compare) -> Etcdserverpb_Compare {
        var result = Etcdserverpb_Compare()
        result.result = .equal
        switch compare {
        case .createRevision(let key, let revision):
            result.key = Data(key.utf8)
            result.target = .create
            result.targetUnion = .createRevision(revision)
        case .modRevision(let key, let revision):
            result.key = Data(key.utf8)
            result.target = .mod
            result.targetUnion = .modRevision(revision)
        }
        return result
    }

    private static func requestOp(_ operation: Operation) -> Etcdserverpb_RequestOp {
        var op = Etcdserverpb_RequestOp()
        switch operation {
        case .put(let key, let value, let lease):
            var put = Etcdserverpb_PutRequest()
            put.key = Data(key.utf8)
            put.value = Data(value)
            put.lease = lease
            op.request = .requestPut(put)
        case .delete(let key):
            var delete = Etcdserverpb_DeleteRangeRequest()
            delete.key = Data(key.utf8)
            op.request = .requestDeleteRange(delete)
        case .get(let key):
            var range = Etcdserverpb_RangeRequest()
            range.key = Data(key.utf8)
            op.request = .requestRange(range)
        }
        return op
    }
}
#endif
