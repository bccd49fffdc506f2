/// The answer to `hactl status`, and exactly the object `hactl --json status` prints.
///
/// The keys and value vocabularies of the spec (`cluster`, `node`, `term`,
/// `coordinator`, `quorum`, `maintenance`, `nodes`, `service`, `constraints`)
/// are a contract for scripts: never rename them. Keys added on top of the spec
/// (`time`, `service.since`, `service.health`, `service.units`, `fencing`,
/// `last_failover`, `warnings`, `nodes[].priority`, `nodes[].last_seen`,
/// `nodes[].version`, `nodes[].config_digest`, `nodes[].last_heard_ms`, `links`) are optional: a report without them
/// still decodes.
public struct StatusReport: Sendable, Equatable, Codable {
    public var cluster: String
    /// The node that answered (the local daemon).
    public var node: String
    public var term: UInt64
    /// The current leader, nil (JSON null) when there is none.
    public var coordinator: String?
    public var quorum: Quorum
    public var maintenance: Bool
    public var nodes: [Node]
    public var service: Service
    public var constraints: [Constraint]
    /// When the report was made (extension).
    public var time: UTCTimestamp?
    /// Fencing configuration and device health (extension).
    public var fencing: Fencing?
    /// The most recent takeover, step by step (extension).
    public var lastFailover: Failover?
    /// What the operator should know about the cluster as a whole: configurations that
    /// differ between nodes, a rolling upgrade not finished (extension; absent when none).
    public var warnings: [String]?
    /// Each peer as heard on each local link, like `corosync-cfgtool -s` (extension).
    public var links: [Link]?
    /// The disk heartbeat (`tie_breaker = "storage"`, extension).
    public var arbiter: Arbiter?
    /// Datagram counters of the answering node (extension).
    public var wire: Wire?
    /// The coordination backend: `builtin` or `etcd` (extension; absent: built-in).
    public var backend: String?
    /// The etcd backend's endpoints and lease (extension; with `backend` `etcd` only).
    public var etcd: Etcd?

    public init(
        cluster: String, node: String, term: UInt64, coordinator: String?, quorum: Quorum, maintenance: Bool,
        nodes: [Node], service: Service, constraints: [Constraint], time: UTCTimestamp? = nil,
        fencing: Fencing? = nil, lastFailover: Failover? = nil, warnings: [String]? = nil,
        links: [Link]? = nil, arbiter: Arbiter? = nil, wire: Wire? = nil, backend: String? = nil, etcd: Etcd? = nil
    ) {
        self.cluster = cluster
        self.node = node
        self.term = term
        self.coordinator = coordinator
        self.quorum = quorum
        self.maintenance = maintenance
        self.nodes = nodes
        self.service = service
        self.constraints = constraints
        self.time = time
        self.fencing = fencing
        self.lastFailover = lastFailover
        self.warnings = warnings
        self.links = links
        self.arbiter = arbiter
        self.wire = wire
        self.backend = backend
        self.etcd = etcd
    }

    private enum CodingKeys: String, CodingKey {
        case cluster, node, term, coordinator, quorum, maintenance, nodes, service, constraints, time, fencing, warnings, links, arbiter, wire, backend, etcd
        case lastFailover = "last_failover"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cluster = try c.decode(String.self, forKey: .cluster)
        node = try c.decode(String.self, forKey: .node)
        term = try c.decode(UInt64.self, forKey: .term)
        coordinator = try c.decodeIfPresent(String.self, forKey: .coordinator)
        quorum = try c.decode(Quorum.self, forKey: .quorum)
        maintenance = try c.decode(Bool.self, forKey: .maintenance)
        nodes = try c.decode([Node].self, forKey: .nodes)
        service = try c.decode(Service.self, forKey: .service)
        constraints = try c.decode([Constraint].self, forKey: .constraints)
        time = try c.decodeIfPresent(UTCTimestamp.self, forKey: .time)
        fencing = try c.decodeIfPresent(Fencing.self, forKey: .fencing)
        lastFailover = try c.decodeIfPresent(Failover.self, forKey: .lastFailover)
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings)
        links = try c.decodeIfPresent([Link].self, forKey: .links)
        arbiter = try c.decodeIfPresent(Arbiter.self, forKey: .arbiter)
        wire = try c.decodeIfPresent(Wire.self, forKey: .wire)
        backend = try c.decodeIfPresent(String.self, forKey: .backend)
        etcd = try c.decodeIfPresent(Etcd.self, forKey: .etcd)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cluster, forKey: .cluster)
        try c.encode(node, forKey: .node)
        try c.encode(term, forKey: .term)
        try c.encode(coordinator, forKey: .coordinator)  // null when there is none: the key is always there
        try c.encode(quorum, forKey: .quorum)
        try c.encode(maintenance, forKey: .maintenance)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(service, forKey: .service)
        try c.encode(constraints, forKey: .constraints)
        try c.encodeIfPresent(time, forKey: .time)
        try c.encodeIfPresent(fencing, forKey: .fencing)
        try c.encodeIfPresent(lastFailover, forKey: .lastFailover)
        try c.encodeIfPresent(warnings, forKey: .warnings)
        try c.encodeIfPresent(links, forKey: .links)
        try c.encodeIfPresent(arbiter, forKey: .arbiter)
        try c.encodeIfPresent(wire, forKey: .wire)
        try c.encodeIfPresent(backend, forKey: .backend)
        try c.encodeIfPresent(etcd, forKey: .etcd)
    }
}

extension StatusReport {
    public struct Quorum: Sendable, Equatable, Codable {
        public var quorate: Bool
        /// Votes this node currently sees (itself included).
        public var votes: Int
        /// Configured votes.
        public var expected: Int

        public init(quorate: Bool, votes: Int, expected: Int) {
            self.quorate = quorate
            self.votes = votes
            self.expected = expected
        }
    }

    /// Node `state` values of the spec.
    public enum NodeState: String, Sendable, Equatable, Codable, CaseIterable {
        case online
        case offline
        case standby
        /// Failed and not yet fenced.
        case unclean
        case fenced
    }

    /// Node `role` values: the node running the service, one that may run it, or a witness.
    public enum NodeRole: String, Sendable, Equatable, Codable, CaseIterable {
        case active
        case standby
        case witness
    }

    public struct Node: Sendable, Equatable, Codable {
        public var name: String
        public var state: NodeState
        public var role: NodeRole
        /// Placement priority from the configuration (extension).
        public var priority: Int?
        /// Last time this node heard from it (extension; nil for the local node).
        public var lastSeen: UTCTimestamp?
        /// The haclusterd release it runs, as it told (extension; nil: not told).
        public var version: String?
        /// The digest of its cluster-wide configuration (`ConfigDigest.summary`; extension).
        public var configDigest: String?
        /// Where its own copy of the service stands, as it told (`idle`, `starting`, `started`,
        /// `stopping`; extension; nil: not told).
        public var service: String?
        /// Milliseconds since this node last heard it on any link (extension; nil for the local
        /// node and for a peer never heard).
        public var lastHeardMilliseconds: Int?
        /// A voting member (extension): false for a learner, a configured node not added with
        /// `hactl node add` (or removed with `node remove`); nil: not told.
        public var member: Bool?

        public init(
            name: String, state: NodeState, role: NodeRole, priority: Int? = nil, lastSeen: UTCTimestamp? = nil,
            version: String? = nil, configDigest: String? = nil, service: String? = nil, lastHeardMilliseconds: Int? = nil,
            member: Bool? = nil
        ) {
            self.name = name
            self.state = state
            self.role = role
            self.priority = priority
            self.lastSeen = lastSeen
            self.version = version
            self.configDigest = configDigest
            self.service = service
            self.lastHeardMilliseconds = lastHeardMilliseconds
            self.member = member
        }

        private enum CodingKeys: String, CodingKey {
            case name, state, role, priority, version, service, member
            case lastSeen = "last_seen"
            case configDigest = "config_digest"
            case lastHeardMilliseconds = "last_heard_ms"
        }
    }

    /// Service `state` values of the spec.
    public enum ServiceState: String, Sendable, Equatable, Codable, CaseIterable {
        case started
        case starting
        case stopping
        case stopped
        case failed
        /// Cannot be placed: no quorum, fencing failed, or no eligible node.
        case blocked
    }

    public struct Service: Sendable, Equatable, Codable {
        public var name: String
        public var state: ServiceState
        /// Where it runs (or is starting/stopping); nil (JSON null) when nowhere.
        public var node: String?
        public var enabled: Bool
        /// Failure count per node (nodes that can run the service).
        public var failures: [String: Int]
        /// When it reached its current state on its node (extension).
        public var since: UTCTimestamp?
        /// Monitor result (extension).
        public var health: Health?
        /// The systemd units, in start order (extension).
        public var units: [String]?
        /// Why the service is blocked or failed, for humans (extension).
        public var reason: String?

        public init(
            name: String, state: ServiceState, node: String?, enabled: Bool, failures: [String: Int],
            since: UTCTimestamp? = nil, health: Health? = nil, units: [String]? = nil, reason: String? = nil
        ) {
            self.name = name
            self.state = state
            self.node = node
            self.enabled = enabled
            self.failures = failures
            self.since = since
            self.health = health
            self.units = units
            self.reason = reason
        }

        private enum CodingKeys: String, CodingKey {
            case name, state, node, enabled, failures, since, health, units, reason
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            state = try c.decode(ServiceState.self, forKey: .state)
            node = try c.decodeIfPresent(String.self, forKey: .node)
            enabled = try c.decode(Bool.self, forKey: .enabled)
            failures = try c.decode([String: Int].self, forKey: .failures)
            since = try c.decodeIfPresent(UTCTimestamp.self, forKey: .since)
            health = try c.decodeIfPresent(Health.self, forKey: .health)
            units = try c.decodeIfPresent([String].self, forKey: .units)
            reason = try c.decodeIfPresent(String.self, forKey: .reason)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(state, forKey: .state)
            try c.encode(node, forKey: .node)  // null when the service runs nowhere
            try c.encode(enabled, forKey: .enabled)
            try c.encode(failures, forKey: .failures)
            try c.encodeIfPresent(since, forKey: .since)
            try c.encodeIfPresent(health, forKey: .health)
            try c.encodeIfPresent(units, forKey: .units)
            try c.encodeIfPresent(reason, forKey: .reason)
        }
    }

    public struct Health: Sendable, Equatable, Codable {
        public enum State: String, Sendable, Equatable, Codable, CaseIterable {
            case healthy
            case unhealthy
            case unknown
        }

        public var state: State
        /// What the monitor saw (unit ActiveState, HTTP status).
        public var detail: String?
        public var checked: UTCTimestamp?

        public init(state: State, detail: String? = nil, checked: UTCTimestamp? = nil) {
            self.state = state
            self.detail = detail
            self.checked = checked
        }
    }

    /// Constraint `kind` values: `ban` (the node may not run the service: `ban`, or the
    /// old node of a `move`) and `prefer` (the target of `move NODE`).
    public enum ConstraintKind: String, Sendable, Equatable, Codable, CaseIterable {
        case ban
        case prefer
    }

    public struct Constraint: Sendable, Equatable, Codable {
        public var kind: ConstraintKind
        public var node: String
        /// Absolute expiry; nil (JSON null) means until `hactl clear`.
        public var expires: UTCTimestamp?

        public init(kind: ConstraintKind, node: String, expires: UTCTimestamp?) {
            self.kind = kind
            self.node = node
            self.expires = expires
        }

        private enum CodingKeys: String, CodingKey { case kind, node, expires }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(ConstraintKind.self, forKey: .kind)
            node = try c.decode(String.self, forKey: .node)
            expires = try c.decodeIfPresent(UTCTimestamp.self, forKey: .expires)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(node, forKey: .node)
            try c.encode(expires, forKey: .expires)
        }
    }

    public struct Fencing: Sendable, Equatable, Codable {
        public var enabled: Bool
        public var devices: [FenceDevice]

        public init(enabled: Bool, devices: [FenceDevice]) {
            self.enabled = enabled
            self.devices = devices
        }
    }

    public struct FenceDevice: Sendable, Equatable, Codable {
        /// The same vocabulary as the Fencing module's `DeviceHealth.State`.
        public enum State: String, Sendable, Equatable, Codable, CaseIterable {
            case ok
            case failing
            /// Not checked yet.
            case unknown
        }

        public var name: String
        public var agent: String
        public var nodes: [String]
        public var level: Int
        /// Result of the last periodic `monitor` run of the agent.
        public var state: State
        public var checked: UTCTimestamp?
        public var failingSince: UTCTimestamp?
        /// The agent's last error while failing.
        public var detail: String?

        public init(
            name: String, agent: String, nodes: [String], level: Int, state: State, checked: UTCTimestamp? = nil,
            failingSince: UTCTimestamp? = nil, detail: String? = nil
        ) {
            self.name = name
            self.agent = agent
            self.nodes = nodes
            self.level = level
            self.state = state
            self.checked = checked
            self.failingSince = failingSince
            self.detail = detail
        }

        private enum CodingKeys: String, CodingKey {
            case name, agent, nodes, level, state, checked, detail
            case failingSince = "failing_since"
        }
    }

    /// Link `state` values: `up` when the peer was heard on the link within
    /// `cluster.failure_timeout`, `down` otherwise (or never heard).
    public enum LinkState: String, Sendable, Equatable, Codable, CaseIterable {
        case up
        case down
    }

    /// One peer as heard on one local link (the local node's `addresses[link]`).
    public struct Link: Sendable, Equatable, Codable {
        /// The peer.
        public var node: String
        /// Index into the local node's `addresses` (links are numbered alike on every node).
        public var link: Int
        public var localAddress: String
        public var state: LinkState
        /// Milliseconds since an authentic datagram from `node` arrived on this link;
        /// nil (key absent) when never.
        public var lastHeardMilliseconds: Int?

        public init(node: String, link: Int, localAddress: String, state: LinkState, lastHeardMilliseconds: Int?) {
            self.node = node
            self.link = link
            self.localAddress = localAddress
            self.state = state
            self.lastHeardMilliseconds = lastHeardMilliseconds
        }

        private enum CodingKeys: String, CodingKey {
            case node, link, state
            case localAddress = "local_address"
            case lastHeardMilliseconds = "last_heard_ms"
        }
    }

    /// One takeover: who took the service from whom, why, and each step's duration.
    public struct Failover: Sendable, Equatable, Codable {
        public var from: String?
        public var to: String
        public var reason: String
        public var started: UTCTimestamp
        /// Nil while the takeover is still running.
        public var finished: UTCTimestamp?
        /// The timeline in order: `detect` (the previous holder last heard → the election
        /// timeout), `election`, `lease`, `wait` (commit, releases) when this node was just
        /// elected; then the takeover's `fence`, `lock`, `ip`, `start`, `healthy`; then `other`
        /// (time between the steps), so that they add up to `milliseconds`.
        public var steps: [Step]
        /// The whole timeline in milliseconds (monotonic clock), once finished; nil while
        /// running, and from a daemon older than this field.
        public var milliseconds: Int?

        public init(from: String?, to: String, reason: String, started: UTCTimestamp, finished: UTCTimestamp?, steps: [Step],
                    milliseconds: Int? = nil) {
            self.from = from
            self.to = to
            self.reason = reason
            self.started = started
            self.finished = finished
            self.steps = steps
            self.milliseconds = milliseconds
        }

        public struct Step: Sendable, Equatable, Codable {
            /// `detect`, `election`, `lease`, `wait`, then `fence`, `lock`, `ip`, `start`, `healthy`
            /// (the takeover order, `TakeoverStep`), then `other` (see `steps`).
            public var name: String
            public var milliseconds: Int
            public var ok: Bool
            public var detail: String?

            public init(name: String, milliseconds: Int, ok: Bool, detail: String? = nil) {
                self.name = name
                self.milliseconds = milliseconds
                self.ok = ok
                self.detail = detail
            }
        }
    }
}
