import ArgumentParser
import ClusterCore

/// `hactl node add|remove NODE` (pcs cluster node add/remove): one voting member more or
/// less, committed by a quorum before it counts (README, "Adding and removing nodes").
struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Add or remove a voting member, one at a time (pcs cluster node add/remove).",
        subcommands: [MemberAddCommand.self, MemberRemoveCommand.self])
}

/// `hactl node add NODE`.
struct MemberAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Make a configured node a voting member (pcs cluster node add).",
        discussion: """
            First add the node's [[node]] to the configuration of every node and reload each (systemctl reload haclusterd), then start haclusterd on the new node with the cluster's key and the same configuration. Until this command it is a learner: it follows the cluster but never votes or runs the service (hactl status marks it). Refused while the node is not heard, while an earlier change is not committed yet (one node at a time), before the cluster recorded its member list (every node must run a release that knows member lists), and in two_node mode.

            Example: hactl node add dss4
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The node to add (listed in the configuration, haclusterd running on it).") var node: String

    func run() throws {
        try global.validateNode(node)
        try AdminRequest.run(.addNode(node), global: global, done: "\(node) is a voting member now")
    }
}

/// `hactl node remove NODE`.
struct MemberRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop counting a node as a voting member (pcs cluster node remove).",
        discussion: """
            The node may be down (a failed node being replaced) or up; it must not run the service (hactl move it away first) and must not be the coordinator (stop haclusterd on it first: a stop hands the coordination over). Once committed, stop haclusterd on it, remove its [[node]] from every configuration and reload (a reload refuses to drop a node that is still a member). Refused while an earlier change is not committed yet (one node at a time).

            Example: hactl node remove dss2
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The member to remove.") var node: String

    func run() throws {
        try AdminRequest.run(.removeNode(node), global: global, done: "\(node) is no longer a member")
    }
}
