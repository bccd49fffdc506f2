/// What the leader should do with the service.
public enum PlacementDecision: Sendable, Equatable {
    /// Run it on the leader.
    case runOnLeader
    /// Release it here (if running) and hand leadership to `node`.
    case transfer(to: String, reason: PlacementReason)
    /// It must not run anywhere for now.
    case stop(PlacementReason)
    /// Maintenance: neither start nor stop it.
    case leaveAlone
}
