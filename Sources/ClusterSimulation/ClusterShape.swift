import ClusterCore

/// The simulated cluster: how many nodes, whether the last one is a witness, 2-node mode.
public struct ClusterShape: Sendable, Equatable, CustomStringConvertible {
    public var nodes: Int
    public var witness: Bool
    public var twoNode: Bool
    public var waitForAll: Bool

    public init(nodes: Int, witness: Bool = false, twoNode: Bool = false, waitForAll: Bool = false) {
        precondition(nodes >= 2 && (!twoNode || nodes == 2), "2..n nodes; two_node needs exactly 2")
        self.nodes = nodes
        self.witness = witness
        self.twoNode = twoNode
        self.waitForAll = waitForAll
    }

    /// The shape a seed picks: 2-node, or 3/5/7 nodes with or without a witness.
    static func random<R: RandomNumberGenerator>(using random: inout R) -> ClusterShape {
        switch random.next(upperBound: 7 as UInt64) {
        case 0: return ClusterShape(nodes: 2, twoNode: true, waitForAll: true)
        case 1, 2: return ClusterShape(nodes: 3, witness: random.next(upperBound: 2 as UInt64) == 0, waitForAll: random.next(upperBound: 2 as UInt64) == 0)
        case 3, 4: return ClusterShape(nodes: 5, witness: random.next(upperBound: 2 as UInt64) == 0, waitForAll: random.next(upperBound: 2 as UInt64) == 0)
        default: return ClusterShape(nodes: 7, witness: random.next(upperBound: 2 as UInt64) == 0, waitForAll: random.next(upperBound: 2 as UInt64) == 0)
        }
    }

    /// A cluster configuration of this shape at default timings. The fence race delay is
    /// 2 s: longer than any simulated agent run (at most 1.5 s), as `race_delay` must be.
    public func config(
        heartbeat: Duration = .milliseconds(200), failureTimeout: Duration = .seconds(1), raceDelay: Duration = .seconds(2)
    ) -> ClusterConfig {
        let nodeConfigs = (1...nodes).map { index in
            NodeConfig(
                name: "n\(index)",
                addresses: ["198.18.0.\(index)"],
                priority: 100 + (index % 3) * 10,
                role: witness && index == nodes ? .witness : .full)
        }
        return ClusterConfig(
            cluster: ClusterSettings(name: "sim", heartbeatInterval: heartbeat, failureTimeout: failureTimeout),
            quorum: QuorumSettings(twoNode: twoNode, waitForAll: waitForAll),
            nodes: nodeConfigs,
            service: ServiceConfig(name: "svc", units: ["svc.service"], migrationThreshold: 3, failureExpiry: .seconds(30)),
            storage: StorageConfig(path: "/srv/shared"),
            fencing: FencingConfig(raceDelay: raceDelay))
    }

    public var description: String {
        twoNode ? "2 nodes (two_node)" : "\(nodes) nodes\(witness ? " incl. witness" : "")\(waitForAll ? ", wait_for_all" : "")"
    }
}
