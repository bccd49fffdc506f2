import ClusterCore

/// The simulated cluster: how many nodes, whether the last one is a witness, 2-node mode,
/// and (2-node only) the storage tie-breaker with its simulated shared disk.
public struct ClusterShape: Sendable, Equatable, CustomStringConvertible {
    public var nodes: Int
    public var witness: Bool
    public var twoNode: Bool
    public var waitForAll: Bool
    /// `[quorum] tie_breaker`: with `.storage` every node runs disk-heartbeat cycles on the
    /// simulated shared disk, and storage faults join the seed's fault mix.
    public var tieBreaker: QuorumSettings.TieBreaker

    public init(nodes: Int, witness: Bool = false, twoNode: Bool = false, waitForAll: Bool = false, tieBreaker: QuorumSettings.TieBreaker = .none) {
        precondition(nodes >= 2 && (!twoNode || nodes == 2), "2..n nodes; two_node needs exactly 2")
        precondition(tieBreaker == .none || twoNode, "a tie-breaker needs two_node")
        self.nodes = nodes
        self.witness = witness
        self.twoNode = twoNode
        self.waitForAll = waitForAll
        self.tieBreaker = tieBreaker
    }

    /// Two nodes, `two_node = true`, `tie_breaker = "storage"` (and wait_for_all, as for the plain 2-node shape).
    public static let storageTieBreaker = ClusterShape(nodes: 2, twoNode: true, waitForAll: true, tieBreaker: .storage)

    /// Whether the nodes run disk-heartbeat cycles (`Input.arbiter`).
    public var usesStorage: Bool { tieBreaker == .storage }

    /// The shape a seed picks: 2-node (half of those with the storage tie-breaker), or
    /// 3/5/7 nodes with or without a witness. Whether a 2-node seed gets the tie-breaker comes
    /// from a generator of its own (seeded from `seed`), not from `random`: every seed that
    /// does not pick the storage shape keeps the shape and the run it had before that shape existed.
    static func random<R: RandomNumberGenerator>(seed: UInt64, using random: inout R) -> ClusterShape {
        switch random.next(upperBound: 7 as UInt64) {
        case 0:
            var side = ElectionRandom(seed: seed ^ 0x7374_6F72_6167_6521)
            return side.next() & 1 == 0 ? ClusterShape(nodes: 2, twoNode: true, waitForAll: true) : .storageTieBreaker
        case 1, 2: return ClusterShape(nodes: 3, witness: random.next(upperBound: 2 as UInt64) == 0, waitForAll: random.next(upperBound: 2 as UInt64) == 0)
        case 3, 4: return ClusterShape(nodes: 5, witness: random.next(upperBound: 2 as UInt64) == 0, waitForAll: random.next(upperBound: 2 as UInt64) == 0)
        default: return ClusterShape(nodes: 7, witness: random.next(upperBound: 2 as UInt64) == 0, waitForAll: random.next(upperBound: 2 as UInt64) == 0)
        }
    }

    /// A shape by the name `hasim --shape` takes: `storage`, `two-node`, or a node count
    /// (3, 5, 7) with an optional `w` for a witness and `a` for wait_for_all (`3w`, `5a`, `7wa`).
    public init?(name: String) {
        switch name {
        case "storage": self = .storageTieBreaker
        case "two-node": self = ClusterShape(nodes: 2, twoNode: true, waitForAll: true)
        default:
            let digits = name.prefix { $0.isNumber }
            let flags = name.dropFirst(digits.count)
            guard let count = Int(digits), count >= 3, flags.allSatisfy({ $0 == "w" || $0 == "a" }) else { return nil }
            self = ClusterShape(nodes: count, witness: flags.contains("w"), waitForAll: flags.contains("a"))
        }
    }

    /// The name `init?(name:)` takes back.
    public var name: String {
        if twoNode { return usesStorage ? "storage" : "two-node" }
        return "\(nodes)\(witness ? "w" : "")\(waitForAll ? "a" : "")"
    }

    /// A cluster configuration of this shape at default timings. The fence race delay is
    /// 2 s: longer than any simulated agent run (at most 1.5 s), as `race_delay` must be.
    /// `storage_timeout` is left at its default (5 heartbeat intervals).
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
            quorum: QuorumSettings(twoNode: twoNode, waitForAll: waitForAll, tieBreaker: tieBreaker),
            nodes: nodeConfigs,
            service: ServiceConfig(name: "svc", units: ["svc.service"], migrationThreshold: 3, failureExpiry: .seconds(30)),
            storage: StorageConfig(path: "/srv/shared"),
            fencing: FencingConfig(raceDelay: raceDelay))
    }

    public var description: String {
        twoNode
            ? "2 nodes (two_node\(usesStorage ? ", storage tie-breaker" : ""))"
            : "\(nodes) nodes\(witness ? " incl. witness" : "")\(waitForAll ? ", wait_for_all" : "")"
    }
}
