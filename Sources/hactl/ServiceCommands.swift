import ClusterHost
import ArgumentParser
import ClusterCore

/// `hactl enable`: start the service cluster-wide (persistent).
struct EnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Start the service cluster-wide (pcs resource enable).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var wait: WaitOption

    func run() throws {
        try AdminRequest.run(
            .enable, global: global, done: "service enabled: it starts on the best eligible node",
            wait: wait.wait ? .running : nil)
    }
}

/// `hactl disable`: stop the service cluster-wide and keep it stopped.
struct DisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Stop the service cluster-wide until `hactl enable` (pcs resource disable).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var wait: WaitOption

    func run() throws {
        try AdminRequest.run(
            .disable, global: global, done: "service disabled: it is stopped and stays stopped",
            wait: wait.wait ? .stopped : nil)
    }
}

/// `hactl move [NODE] [--lifetime D]`.
struct MoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move the service to NODE, or away from its current node.",
        discussion: """
            With NODE, prefers NODE (like `pcs resource move NODE`); without, bans the node the service leaves. Either constraint holds for --lifetime or until `hactl clear`; one with a lifetime expires at an absolute time shown by `hactl status`.

            Without --wait the command returns once the change is committed; the service then stops and starts on its own. With --wait it returns when the service answers on its new node, or fails (exit 1) with the takeover's timeline when it does not get there: a start that fails on the target makes the target ineligible and the service goes to the next best node, as in Pacemaker; nothing is rolled back, and `hactl clear` removes the move's constraints.

            Examples:
              hactl move dss2 --lifetime 30min
              hactl move dss2 --wait          # returns when dataiku answers on dss2
              hactl move            # away from the current node, ban it until hactl clear
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Target node (default: the best other eligible node).") var node: String?
    @OptionGroup var lifetime: LifetimeOption
    @OptionGroup var wait: WaitOption

    func run() throws {
        if let node { try global.validateNode(node) }
        let duration = try lifetime.parsed()
        let goal: ServiceGoal? = wait.wait ? .moved(to: node, from: try AdminRequest.currentNode(global: global)) : nil
        try AdminRequest.run(
            .move(node: node, lifetime: duration), global: global,
            done: node.map { "service moved to \($0); \($0) is preferred \(LifetimeOption.describe(duration))" }
                ?? "service moved away from its node; that node is banned \(LifetimeOption.describe(duration))",
            wait: goal)
    }
}

/// `hactl ban NODE [--lifetime D]`.
struct BanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ban",
        abstract: "Forbid NODE to run the service (pcs resource ban).",
        discussion: "Example: hactl ban dss1 --lifetime 2h")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Node to ban.") var node: String
    @OptionGroup var lifetime: LifetimeOption

    func run() throws {
        try global.validateNode(node)
        let duration = try lifetime.parsed()
        try AdminRequest.run(.ban(node: node, lifetime: duration), global: global, done: "\(node) banned \(LifetimeOption.describe(duration))")
    }
}

/// `hactl clear [NODE]`.
struct ClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove the move and ban constraints of NODE, or all of them (pcs resource clear).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Node whose constraints to remove (default: all).") var node: String?

    func run() throws {
        if let node { try global.validateNode(node) }
        try AdminRequest.run(
            .clear(node: node), global: global,
            done: node.map { "constraints on \($0) removed" } ?? "all move and ban constraints removed")
    }
}

/// `hactl cleanup [NODE]`.
struct CleanupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Forget service failures of NODE, or of all nodes (pcs resource cleanup).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Node whose failure count to reset (default: all).") var node: String?

    func run() throws {
        if let node { try global.validateNode(node) }
        try AdminRequest.run(
            .cleanup(node: node), global: global,
            done: node.map { "failures on \($0) forgotten" } ?? "failures forgotten on all nodes")
    }
}
