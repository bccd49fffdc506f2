import ArgumentParser

/// `hactl fence NODE` (fence now: `FenceNodeCommand`, the default) and `hactl fence confirm NODE`.
///
/// A group with a default subcommand rather than a command with a NODE argument: argument-parser
/// gives a parent's positional argument the word `confirm` before it looks for a subcommand.
struct FenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fence",
        abstract: "Fence NODE now (pcs stonith fence), or confirm NODE is down: fence confirm NODE (pcs stonith confirm).",
        discussion: """
            hactl fence NODE runs the fence levels of NODE (the default subcommand, "node"); hactl fence confirm NODE states that NODE is down so that a takeover blocked on its fence goes on.

            Examples:
              hactl fence dss2 --yes
              hactl fence confirm dss1 --yes
            """,
        subcommands: [FenceNodeCommand.self, FenceConfirmCommand.self],
        defaultSubcommand: FenceNodeCommand.self)
}
