/// The whole cluster configuration (`/etc/hacluster/haclusterd.toml`), identical on all nodes.
///
/// A value of this type has been validated: every invariant the loader checks
/// (unique names and addresses, an eligible node, fencing coverage, ...) holds.
/// Tests may build values directly.
public struct ClusterConfig: Sendable, Equatable {
    public var cluster: ClusterSettings
    public var quorum: QuorumSettings
    public var nodes: [NodeConfig]
    public var service: ServiceConfig
    public var storage: StorageConfig
    public var floatingIPs: [FloatingIPConfig]
    public var fencing: FencingConfig
    /// Programs run on cluster events (node-local).
    public var alerts: [AlertConfig]
    /// The Prometheus endpoint, nil: none (node-local).
    public var metrics: MetricsConfig?
    /// `[etcd]`: set (and required) when `cluster.backend` is `.etcd`.
    public var etcd: EtcdConfig?
    /// The file this configuration was read from, for error messages.
    public var sourcePath: String?

    public init(
        cluster: ClusterSettings,
        quorum: QuorumSettings = QuorumSettings(),
        nodes: [NodeConfig],
        service: ServiceConfig,
        storage: StorageConfig,
        floatingIPs: [FloatingIPConfig] = [],
        fencing: FencingConfig = FencingConfig(),
        alerts: [AlertConfig] = [],
        metrics: MetricsConfig? = nil,
        etcd: EtcdConfig? = nil,
        sourcePath: String? = nil
    ) {
        self.cluster = cluster
        self.quorum = quorum
        self.nodes = nodes
        self.service = service
        self.storage = storage
        self.floatingIPs = floatingIPs
        self.fencing = fencing
        self.alerts = alerts
        self.metrics = metrics
        self.etcd = etcd
        self.sourcePath = sourcePath
    }

    /// The node called `name`, if configured.
    public func node(named name: String) -> NodeConfig? {
        nodes.first { $0.name == name }
    }

    /// Nodes that vote (all configured nodes: full and witness).
    public var votingNodes: [NodeConfig] { nodes }

    /// Nodes that may ever run the service (not witnesses).
    public var serviceNodes: [NodeConfig] { nodes.filter { $0.role == .full } }

    /// The disk heartbeat decides 2-node splits (`two_node` and `tie_breaker = "storage"`).
    public var usesStorageTieBreaker: Bool { quorum.twoNode && quorum.tieBreaker == .storage }

    /// `[quorum] storage_timeout`, or its default: 5 disk heartbeats (one per heartbeat interval).
    public var storageTimeout: Duration { quorum.storageTimeout ?? cluster.heartbeatInterval * 5 }
}
