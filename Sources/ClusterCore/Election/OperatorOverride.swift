/// An operator's statement that lifts one of the core's safety waits, as pcs's
/// `stonith confirm` and `quorum unblock` do. Never forwarded to another node: it is
/// applied by the core of the node where `hactl` runs, which checks it against what that
/// node sees (`ElectionNode.refusal(of:heard:)`).
public enum OperatorOverride: Sendable, Equatable {
    /// `hactl fence confirm NODE`: the operator states that NODE is down (powered off, its
    /// fence device with it). On the coordinator its pending fence counts as done.
    case confirmFenced(node: String)
    /// `hactl quorum unblock`: after a cold start with `wait_for_all`, this node stops
    /// waiting to see every node once; only for a partition with a strict majority of votes.
    case unblockQuorum

    /// The `hactl` command, for messages.
    public var command: String {
        switch self {
        case let .confirmFenced(node): "hactl fence confirm \(node)"
        case .unblockQuorum: "hactl quorum unblock"
        }
    }
}
