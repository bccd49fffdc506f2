/// An episode of trouble around one node of the storage shape (`ClusterShape.storageTieBreaker`):
/// it starts at a random step and ends by itself after a random while.
public enum StorageFault: String, Sendable, CaseIterable {
    /// The node's disk-heartbeat cycles take longer (each 0.5-1 × the episode's latency: 20-180 ms
    /// in half the episodes, 0.4-1.6 s in the others): its heartbeat lands late, its reads come
    /// late, cycles are skipped.
    case slowWrites = "slow-writes"
    /// The node's storage I/O hangs: cycles in flight stop and none completes, nothing is fed;
    /// when the hang ends they go on (the late write lands then).
    case hang
    /// The node is cut from the storage only: every cycle fails with EIO (`.arbiter(.failed)`).
    case storageCut = "storage-cut"
    /// The node is cut from the network only (every path to and from it blocked); its storage is healthy.
    case networkCut = "network-cut"
    /// The node is cut from both: EIO on the storage and every network path blocked.
    case bothCut = "both-cut"
}
