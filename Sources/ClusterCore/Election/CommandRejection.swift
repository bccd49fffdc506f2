/// Why the leader refused an admin command.
public enum CommandRejection: Error, Sendable, Equatable {
    /// The command names a node that is not in the configuration.
    case unknownNode(String)
    /// A witness never runs the service (e.g. `move witness1`).
    case witnessNode(String)
    /// `move` without a target while the service runs nowhere.
    case serviceNotRunning
    /// A lifetime must be positive.
    case invalidLifetime
    /// `node add` / `node remove` before a leader recorded the member list (a node of an
    /// older release is configured, or no leader since the upgrade).
    case membersNotRecorded
    case alreadyMember(String)
    case notMember(String)
    /// `node add` of a node that is not heard: it would count for quorum while down.
    case nodeNotHeard(String)
    /// `node remove` of the coordinator itself.
    case removingLeader(String)
    /// `node remove` of a node that runs the service or may still run it.
    case nodeRunsService(String)
    /// A membership change while a change (this version) is not committed yet.
    case changePending(AdminVersion)
    /// `two_node = true` means exactly two voting nodes.
    case twoNodeMembership
    /// The etcd backend's admin state can't be read (the key's value and why).
    case adminStateUnreadable(String)
}
