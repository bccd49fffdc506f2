import ClusterHost
import ArgumentParser
import ClusterCore
import FoundationEssentials

/// `hactl status`: the cluster on one screen, or the spec's JSON object.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the cluster: quorum, nodes, where the service runs, constraints, failures.",
        discussion: """
            Like `pcs status`. With --json, prints the object documented in the spec (keys cluster, node, term, coordinator, quorum, maintenance, nodes, service, constraints; extra keys may be added, never renamed).

            Examples:
              hactl status
              hactl --json status | jq -r .service.node
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        guard case let .status(report) = try global.send(.status) else {
            throw HactlFailure.failed("the daemon answered status with something else")
        }
        if global.json {
            Output.json(report)
        } else {
            Output.text(StatusRenderer(now: UTCTimestamp(Date())).render(report))
        }
    }
}
