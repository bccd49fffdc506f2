import ArgumentParser
import ClusterCore

/// `hactl quorum`: quorum overrides (pcs quorum ...).
struct QuorumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quorum",
        abstract: "Quorum overrides: unblock a cold start waiting for all nodes (pcs quorum unblock).",
        subcommands: [QuorumUnblockCommand.self])
}

/// `hactl quorum unblock` (pcs quorum unblock): a cold-started partition with a strict
/// majority of the votes goes on without waiting to see every node (`wait_for_all`).
struct QuorumUnblockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unblock",
        abstract: "Stop waiting for all nodes after a cold start (pcs quorum unblock).",
        discussion: """
            With wait_for_all, nodes started together wait to see every node once before they elect a coordinator. When a node will not come back soon, this lets the partition of this node go on. Refused unless this partition has a strict majority of the configured votes (more than half), and always in two_node mode: otherwise the nodes not seen could be quorate too. Run it on a full node (not a witness). Asks for confirmation unless --yes is given; without a terminal, --yes is required. The event quorum.unblocked records your uid.

            Example: hactl quorum unblock --yes
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false

    func run() throws {
        try OperatorConfirmation.require(
            "Stop waiting for the nodes not seen since the cold start? Be sure they are down or cut off for good.",
            command: "hactl quorum unblock", yes: yes)
        let result = try global.send(.quorumUnblock)
        guard case let .overridden(accepted) = result else {
            throw HactlFailure.failed("the daemon answered quorum unblock with '\(result.type)'")
        }
        if global.json {
            Output.json(accepted)
        } else {
            Output.text(accepted.detail)
        }
    }
}
