import ClusterCore

/// Something that happens at a simulated instant.
enum SimulationEvent {
    case deliver(from: Int, to: Int, Message)
    case tick(node: Int, incarnation: Int)
    /// A fence run by `node` against `target` finishes; `remaining` targets follow.
    /// `decided`: when the fence was decided (the takeover or `Action.fence`), real time.
    case fenceDone(node: Int, incarnation: Int, epoch: Int, target: Int, fails: Bool, term: Term, remaining: [Int], decided: UInt64)
    case takeoverDone(node: Int, incarnation: Int, epoch: Int, term: Term, fails: Bool)
    case releaseDone(node: Int, incarnation: Int, epoch: Int)
    case restart(node: Int)
    case crash(node: Int, incarnation: Int)
    case resume(node: Int)
    /// A daemon whose leave timed out exited and released what it held (its `resourceEpoch`).
    case releasedAfterExit(node: Int, epoch: Int)

    // The storage shape (`ClusterShape.storageTieBreaker`).
    /// The node's disk-heartbeat timer fires (every heartbeat interval on its clock).
    case diskTimer(node: Int, incarnation: Int)
    /// The write of the node's heartbeat reaches the disk; the read follows `readAfter` later.
    case diskWrite(node: Int, incarnation: Int, heartbeat: ArbiterHeartbeat, readAfter: UInt64)
    /// The read of every slot completes: the cycle is fed to the node.
    case diskRead(node: Int, incarnation: Int)
    /// A network-only or both-ways cut of the node ends: its paths are restored.
    case networkCutEnds(node: Int)
}
