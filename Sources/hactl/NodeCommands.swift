import ClusterHost
import ArgumentParser
import ClusterCore

/// `hactl standby NODE`.
struct StandbyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standby",
        abstract: "NODE may not run the service; it is moved away if it runs there (pcs node standby).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Node to put in standby.") var node: String
    @OptionGroup var wait: WaitOption

    func run() throws {
        try global.validateNode(node)
        try AdminRequest.run(
            .standby(node: node), global: global, done: "\(node) is in standby (hactl unstandby \(node) to undo)",
            wait: wait.wait ? .leftNode(node) : nil)
    }
}

/// `hactl unstandby NODE`.
struct UnstandbyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unstandby", abstract: "NODE may run the service again (pcs node unstandby).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Node to take out of standby.") var node: String

    func run() throws {
        try global.validateNode(node)
        try AdminRequest.run(.unstandby(node: node), global: global, done: "\(node) may run the service again")
    }
}

/// `hactl maintenance on|off`.
struct MaintenanceCommand: ParsableCommand {
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case on
        case off
    }

    static let configuration = CommandConfiguration(
        commandName: "maintenance",
        abstract: "Stop managing the service (no start, stop, move or fence), or resume.",
        discussion: """
            Like `pcs property set maintenance-mode=true`. The service is left as it is; the cluster keeps electing and reporting status.

            Examples:
              hactl maintenance on
              hactl maintenance off
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "on or off.") var mode: Mode

    func run() throws {
        let on = mode == .on
        try AdminRequest.run(
            .maintenance(on: on), global: global,
            done: on ? "maintenance mode on: the cluster starts, stops, moves and fences nothing" : "maintenance mode off: the cluster manages the service again")
    }
}
