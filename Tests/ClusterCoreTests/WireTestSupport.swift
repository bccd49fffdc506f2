@testable import ClusterCore

/// Deterministic generator for the wire tests (SplitMix64): one seed, same inputs.
struct WireTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
