/// Final answer to an admin command (`hactl` waits for it).
public enum CommandOutcome: Sendable, Equatable {
    /// A quorum stored the snapshot containing the change (exit 0).
    case committed(AdminVersion)
    /// No leader, or the leader could not reach a quorum in time (exit 4).
    /// The change may still be applied later if it reached some nodes.
    case noQuorum
    /// The command makes no sense for this cluster (exit 1).
    case rejected(CommandRejection)
}
