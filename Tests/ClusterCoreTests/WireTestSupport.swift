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

    /// `node`'s session at `incarnation`, having heard every other node at incarnation 1
    /// (`knowing`) so that what it seals is bound to those runs; `knowing: [:]` is a node
    /// that has just started and heard nobody.
    static func session(
        _ node: String, incarnation: UInt64 = 1, key: [UInt8] = key, cluster: String = clusterName, nodes: [String] = nodes,
        knowing: [String: UInt64]? = nil
    ) -> WireSession {
        let known = knowing ?? Dictionary(uniqueKeysWithValues: nodes.filter { $0 != node }.map { ($0, UInt64(1)) })
        let snapshot = WireSessionSnapshot(
            incarnation: incarnation, nextSequence: 1,
            peers: known.sorted { $0.key < $1.key }.map { .init(node: $0.key, incarnation: $0.value, highest: 0, bitmap: 0) })
        return WireSession(keys: WireKeys(keyMaterial: key, clusterName: cluster), localNode: node, peers: nodes, restoring: snapshot)
    }
}
