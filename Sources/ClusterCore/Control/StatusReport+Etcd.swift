extension StatusReport {
    /// The coordination backend's view with `[cluster] backend = "etcd"` (`etcd`, extension;
    /// absent with the built-in backend): the endpoints' health, this node's lease and how
    /// long it may still act on it.
    public struct Etcd: Sendable, Equatable, Codable {
        public struct Endpoint: Sendable, Equatable, Codable {
            /// As configured (`https://10.0.0.5:2379`).
            public var endpoint: String
            /// It answered its last status check.
            public var healthy: Bool
            /// It said it is etcd's raft leader.
            public var leader: Bool
            /// Why the last check failed (absent when healthy).
            public var error: String?

            public init(endpoint: String, healthy: Bool, leader: Bool, error: String? = nil) {
                self.endpoint = endpoint
                self.healthy = healthy
                self.leader = leader
                self.error = error
            }
        }

        public var prefix: String
        public var endpoints: [Endpoint]
        /// This node's lease (hexadecimal, as `etcdctl lease list` prints it); absent without one.
        public var lease: String?
        /// The lease's TTL on the server, in milliseconds.
        public var leaseTTLMilliseconds: Int64
        /// How long this node may still act on its lease (its local deadline, which ends before
        /// the server's expiry by the margin rule); absent without a lease.
        public var leaseRemainingMilliseconds: Int64?

        public init(prefix: String, endpoints: [Endpoint], lease: String?, leaseTTLMilliseconds: Int64, leaseRemainingMilliseconds: Int64?) {
            self.prefix = prefix
            self.endpoints = endpoints
            self.lease = lease
            self.leaseTTLMilliseconds = leaseTTLMilliseconds
            self.leaseRemainingMilliseconds = leaseRemainingMilliseconds
        }

        private enum CodingKeys: String, CodingKey {
            case prefix, endpoints, lease
            case leaseTTLMilliseconds = "lease_ttl_ms"
            case leaseRemainingMilliseconds = "lease_remaining_ms"
        }
    }
}
