/// Why the core asks the shell to release the service.
public enum ReleaseReason: String, Sendable, Equatable, CaseIterable {
    /// A higher term appeared: another node may lead now.
    case lostLeadership = "lost-leadership"
    /// The lease expired: no quorum acknowledged this leader in time (CheckQuorum).
    case lostQuorum = "lost-quorum"
    /// `hactl disable`.
    case disabled
    /// This node may no longer run it (standby, ban, move, failures); leadership moves next.
    case placement
    /// The service failed here; it is restarted or moved once released.
    case serviceFailed = "service-failed"
    /// Fencing the previous holder failed mid-takeover: the takeover is abandoned.
    case fenceFailed = "fence-failed"
    /// This node lost its own access to the shared storage (`tie_breaker = "storage"`): no
    /// disk heartbeat succeeded for `storage_timeout`, so it can no longer prove it is alive.
    case storageLost = "storage-lost"
    /// This node's daemon is stopping: a planned handover (`Input.leave`).
    case leaving
}
