import ClusterHost
import ArgumentParser
import ClusterCore
import FoundationEssentials
import Glibc

/// `hactl fence NODE` (the default subcommand of `hactl fence`).
///
/// Decision: when run from a terminal it asks for confirmation (a typo here power-cycles a
/// server); `--yes` skips the question, and scripts (stdin not a terminal) are never asked,
/// so `hactl fence dss2` in a script does it at once like `pcs stonith fence`.
struct FenceNodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Fence NODE now through its configured devices (pcs stonith fence).",
        discussion: """
            The fence levels of NODE are tried in order until one succeeds; the command returns when the node is confirmed fenced (exit 0) or every level failed (exit 1). From a terminal it asks for confirmation unless --yes is given.

            Example: hactl fence dss2 --yes
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Node to fence.") var node: String
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false

    func run() throws {
        try global.validateNode(node)
        if !yes, isatty(STDIN_FILENO) == 1 {
            let what = FenceNodeCommand.actionDescription
            Output.write("Fence \(node) now (\(what) through its fence devices)? [y/N] ", to: STDERR_FILENO)
            let answer = readLine()?.trimmingWhitespace(newlines: false).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                throw HactlFailure.failed("not fenced: not confirmed")
            }
        }
        let result = try global.send(.fence(node: node), defaultTimeout: .seconds(600))
        guard case let .fenced(outcome) = result else {
            throw HactlFailure.failed("the daemon answered fence with '\(result.type)'")
        }
        if global.json {
            Output.json(outcome)
        }
        guard outcome.succeeded else {
            throw HactlFailure.failed("\(node) was NOT fenced: \(outcome.detail)")
        }
        if !global.json {
            let by = outcome.devices.isEmpty ? "" : " by \(outcome.devices.joined(separator: ", "))"
            let level = outcome.level.map { " (level \($0))" } ?? ""
            Output.text("\(node) fenced\(by)\(level) in \(DurationText.format(.milliseconds(outcome.durationMilliseconds))): \(outcome.detail)")
        }
    }

    static let actionDescription = "power-cycle or power-off, as [fencing] action says"
}
