@testable import ClusterCore

/// The wire tests draw their inputs from the core's seeded generator: one seed, same inputs.
extension ElectionRandom {
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// A three-node cluster's sessions, built the way the daemon builds them.
enum WireFixture {
    static let clusterName = "dss_cluster"
    static let key: [UInt8] = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    static let nodes = ["dss1", "dss2", "dss3"]

    static func session(_ node: String, incarnation: UInt64 = 1, key: [UInt8] = key, cluster: String = clusterName, nodes: [String] = nodes) -> WireSession {
        WireSession(keys: WireKeys(keyMaterial: key, clusterName: cluster), localNode: node, incarnation: Incarnation(incarnation), peers: nodes)
    }
}
