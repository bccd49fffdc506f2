/// Why the service is where it is (or nowhere), for `hactl status` and the event log.
public enum PlacementReason: Sendable, Equatable, Hashable {
    /// Runs on the coordinator (the leader), which is eligible.
    case onLeader
    /// Leadership moves to this node because a `move` prefers it.
    case preferred(String)
    /// Leadership moves away because the leader may not run it.
    case leaderIneligible(NodeIneligibility)
    case disabled
    case maintenance
    case noEligibleNode
    case noQuorum
    /// A new leader waits out the previous leader's lease.
    case waitingForLease
    /// A node that may still run it has not confirmed its release yet.
    case waitingForRelease(String)
    /// The admin record of who may run it is not committed yet.
    case waitingForCommit
    /// Fencing of the node failed; retried with backoff (service `blocked`).
    case fenceFailed(String)
    /// `tie_breaker = "storage"`: the peer is lost on the network but its disk heartbeat
    /// advances: a network split. Nobody fences; the holder keeps the service.
    case peerAliveOnStorage(String)
    /// `tie_breaker = "storage"`: the peer is lost on the network and the disk heartbeat
    /// cannot tell yet whether it is alive (fewer than `storage_timeout` of reads).
    case waitingForStorage(String)
    /// This node lost its own access to the shared storage.
    case storageLost
    /// The takeover failed here; retried with backoff or moved.
    case takeoverFailed
    /// The coordinator's daemon is stopping: it hands the service and leadership over.
    case leaving
}
