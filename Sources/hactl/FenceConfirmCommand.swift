import ArgumentParser
import ClusterCore

/// `hactl fence confirm NODE` (pcs stonith confirm): the operator states that NODE is down.
///
/// For a node that died together with its fence device (a server and its BMC without power):
/// the coordinator's takeover waits, blocked, for a fence that cannot succeed. The daemon
/// refuses while NODE shows any sign of life, and on a node that is not the coordinator.
struct FenceConfirmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "State that NODE is down, so its pending fence counts as done (pcs stonith confirm).",
        discussion: """
            For a node that died with its fence device (e.g. a server and its BMC both without power): the service stays blocked, retrying a fence that cannot succeed. Check that NODE is really off first: if it still runs, the service may run on two nodes. Refused while NODE is heard on any link or alive on the shared storage, and on a node other than the coordinator (hactl status names it). Asks for confirmation unless --yes is given; without a terminal, --yes is required. The event fence.operator-confirmed records your uid.

            Example: hactl fence confirm dss1 --yes
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The node that is down.") var node: String
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false

    func run() throws {
        try global.validateNode(node)
        try OperatorConfirmation.require(
            "Confirm that \(node) is DOWN (powered off)? If it still runs, the service may run on two nodes.",
            command: "hactl fence confirm \(node)", yes: yes)
        let result = try global.send(.fenceConfirm(node: node))
        guard case let .overridden(accepted) = result else {
            throw HactlFailure.failed("the daemon answered fence confirm with '\(result.type)'")
        }
        if global.json {
            Output.json(accepted)
        } else {
            Output.text(accepted.detail)
        }
    }
}
