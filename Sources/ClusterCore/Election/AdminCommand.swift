/// An operator's change to the replicated admin state (`hactl enable`, `move`, ...).
///
/// The leader applies it to the admin snapshot and replies once a quorum has
/// stored the new version. Lifetimes are relative here; the leader turns them
/// into absolute expiry times when it commits the change.
public enum AdminCommand: Sendable, Equatable, Hashable, Codable {
    case enable
    case disable
    /// Move the service to `node`, or away from its current node when nil;
    /// bans the old node for `lifetime` (nil: until `clear`).
    case move(node: String?, lifetime: Duration?)
    case ban(node: String, lifetime: Duration?)
    /// Remove move/ban constraints (of `node`, or all when nil).
    case clear(node: String?)
    case standby(node: String)
    case unstandby(node: String)
    case maintenance(on: Bool)
    /// Forget failures (of `node`, or all when nil).
    case cleanup(node: String?)
    /// `hactl node add`: a configured learner becomes a voting member.
    case addNode(String)
    /// `hactl node remove`: a member stops voting (its `[[node]]` may then leave the configs).
    case removeNode(String)
}

extension AdminCommand {
    /// `node add` / `node remove`: changes the member list.
    public var changesMembers: Bool {
        switch self {
        case .addNode, .removeNode: true
        default: false
        }
    }
}
