/// Why the core refuses an operator override (`hactl fence confirm`, `hactl quorum unblock`):
/// each case names the node and says what was expected instead.
public enum OverrideRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why `hactl quorum unblock` has nothing to do.
    public enum NotWaiting: Sendable, Equatable {
        /// `wait_for_all` is off: the node never waits.
        case disabled
        /// Every node was heard once since this node started.
        case allSeen
        /// A coordinator leads: the cluster is past its cold start.
        case leaderKnown(String)
    }

    case unknownNode(String, known: [String])
    /// `fence confirm` of the node the command runs on, which is evidently up.
    case localNode(String)
    /// The node was heard on these links within `failure_timeout`.
    case heardAlive(node: String, links: [HeardLink])
    /// The core heard the node `ago` (less than `failure_timeout`).
    case heardRecently(node: String, ago: Duration, failureTimeout: Duration)
    /// `tie_breaker = "storage"`: the node's disk heartbeat advanced `age` ago.
    case aliveOnStorage(node: String, age: Duration)
    /// A fence of the node runs now (its outcome is still to come).
    case fenceInProgress(node: String)
    /// Only the coordinator waits for a fence; `leader` is the one this node knows, if any.
    case notCoordinator(node: String, leader: String?)
    case notWaiting(NotWaiting)
    /// `two_node`: one vote of two is a quorum, never a strict majority.
    case twoNode
    /// A witness never campaigns, so unblocking it starts nothing.
    case witness(String)
    /// The partition (`present`) lacks more than half of the configured votes.
    case noStrictMajority(votes: Int, expected: Int, present: [String])
    /// The daemon is stopping.
    case leaving(String)
    /// The node's state could not be saved, so nothing was applied.
    case notPersisted(node: String)

    public var description: String {
        switch self {
        case let .unknownNode(node, known):
            return "no node named '\(node)' (configured nodes: \(known.joined(separator: ", ")))"
        case let .localNode(node):
            return "\(node) is this node, and it is running: fence confirm is for a node that is down; run it on a node that is up"
        case let .heardAlive(node, links):
            let seen = links.map { "link \($0.link) (\($0.localAddress)) \(DurationText.format($0.ago)) ago" }.joined(separator: ", ")
            return "\(node) is alive: this node heard it on \(seen); confirm only a node that is down (powered off). To fence a live node, use `hactl fence \(node)`"
        case let .heardRecently(node, ago, failureTimeout):
            return "\(node) is alive: this node heard it \(DurationText.format(ago)) ago (within failure_timeout, \(DurationText.format(failureTimeout))); confirm only a node that is down (powered off). To fence a live node, use `hactl fence \(node)`"
        case let .aliveOnStorage(node, age):
            return "\(node) is alive: its disk heartbeat on the shared storage advanced \(DurationText.format(age)) ago; confirm only a node that is down (powered off)"
        case let .fenceInProgress(node):
            return "a fence of \(node) is running now; wait until it ends (`hactl events`), then confirm if it failed"
        case let .notCoordinator(node, leader?):
            return "\(node) is not the coordinator, and only the coordinator waits for a fence: run this on \(leader), the coordinator"
        case let .notCoordinator(node, nil):
            return "\(node) has no coordinator (no quorum on this side), so nothing here waits for a fence: run this on a node of the partition that has quorum"
        case .notWaiting(.disabled):
            return "nothing to unblock: wait_for_all is off, so this node does not wait for all nodes after a cold start"
        case .notWaiting(.allSeen):
            return "nothing to unblock: this node has seen every node since it started, so it no longer waits for all"
        case let .notWaiting(.leaderKnown(leader)):
            return "nothing to unblock: \(leader) is the coordinator, the cluster is past its cold start"
        case .twoNode:
            return "refused in two_node mode: one vote of two is a quorum but not a strict majority, so a node that stops waiting for its peer could run the service while the peer, cut off, does too (two quorate partitions); start the other node or repair the link"
        case let .witness(node):
            return "\(node) is a witness and never campaigns: run `hactl quorum unblock` on a full node of this partition"
        case let .noStrictMajority(votes, expected, present):
            return "this partition has \(votes) of \(expected) votes (\(present.joined(separator: ", "))) and unblocking needs a strict majority (\(expected / 2 + 1)): the nodes not seen could form a quorate partition of their own; start more nodes or repair the network"
        case let .leaving(node):
            return "\(node) is stopping"
        case let .notPersisted(node):
            return "\(node) cannot save its state (see `hactl status`), so nothing was applied"
        }
    }
}
