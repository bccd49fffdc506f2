/// The disk heartbeat as `hactl status` shows it (`tie_breaker = "storage"`): this node's own
/// access, and per peer the age of its last change and the verdict it gives.
public struct ArbiterStatus: Sendable, Equatable {
    public struct Peer: Sendable, Equatable {
        public var name: String
        public var verdict: StorageArbiter.Verdict
        /// Time since the peer's heartbeat last changed in this node's reads (nil: never read).
        public var sinceAdvanced: Duration?
        public var counter: UInt64?
        public var leader: Bool
        public var holding: Bool
        /// The network has lost the peer: the verdict decides.
        public var networkLost: Bool
    }

    public var storageTimeout: Duration
    public var ownAccessLost: Bool
    /// Time since this node's last cycle (write, then read) succeeded; nil: none yet.
    public var sinceGoodCycle: Duration?
    public var lastError: String?
    public var peers: [Peer]
}

extension StorageArbiter {
    func status(now: Instant, peers: [String], networkLost: (String) -> Bool) -> ArbiterStatus {
        ArbiterStatus(
            storageTimeout: storageTimeout,
            ownAccessLost: ownAccessLost(now: now),
            sinceGoodCycle: lastGoodCycle.map { now.since($0) },
            lastError: lastError,
            peers: peers.map { peer in
                let track = self.peers[peer]
                return ArbiterStatus.Peer(
                    name: peer, verdict: verdict(on: peer, now: now),
                    sinceAdvanced: track?.proven == true ? track.map { now.since($0.lastAdvanced) } : nil,
                    counter: track?.heartbeat?.counter, leader: track?.heartbeat?.leader ?? false,
                    holding: track?.heartbeat?.holding ?? false, networkLost: networkLost(peer))
            })
    }
}
