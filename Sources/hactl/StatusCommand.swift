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

            With --check, like `crm_mon -s` or a Nagios plugin: one line (`HACLUSTER OK - ...`, with performance data after `|`) and the exit status 0 healthy (quorate, every node online, the service started and passing its health check, nothing failing), 1 degraded (the service runs, or was stopped on purpose, but something needs a look: a node down or in standby, a link or fence device down, failures counted, maintenance, a warning), 2 failed (no quorum here, or the service should run and does not), 3 unknown (haclusterd is not reachable or refused). With --json: {"cluster","node","verdict","exit","problems","line"}.

            Examples:
              hactl status
              hactl --json status | jq -r .service.node
              hactl status --check          # for monitoring: exit 0, 1, 2 or 3
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "One line and an exit status for monitoring: 0 healthy, 1 degraded, 2 failed, 3 unknown.")
    var check = false

    func run() throws {
        guard check else { return try show() }
        let report: StatusReport
        do {
            report = try fetch()
        } catch let failure as HactlFailure {
            // Nagios's UNKNOWN: a line on stdout like every other verdict, and exit 3.
            let line = "HACLUSTER UNKNOWN - \(failure.message)"
            if global.json {
                Output.json(CheckOutput(cluster: nil, node: nil, verdict: "unknown", exit: 3, problems: [failure.message], line: line))
            } else {
                Output.text(line)
            }
            throw ExitCode(3)
        }
        let verdict = StatusCheck(report)
        if global.json {
            Output.json(CheckOutput(
                cluster: report.cluster, node: report.node, verdict: verdict.verdict.rawValue, exit: verdict.exitStatus,
                problems: verdict.problems, line: verdict.line))
        } else {
            Output.text(verdict.line)
        }
        if verdict.exitStatus != 0 { throw ExitCode(verdict.exitStatus) }
    }

    private func fetch() throws -> StatusReport {
        guard case let .status(report) = try global.send(.status) else {
            throw HactlFailure.failed("the daemon answered status with something else")
        }
        return report
    }

    private func show() throws {
        let report = try fetch()
        if global.json {
            Output.json(report)
        } else {
            Output.text(StatusRenderer(now: UTCTimestamp(Date())).render(report))
        }
    }
}

/// `hactl --json status --check`.
private struct CheckOutput: Encodable {
    var cluster: String?
    var node: String?
    var verdict: String
    var exit: Int32
    var problems: [String]
    var line: String
}
