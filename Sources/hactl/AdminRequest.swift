import ClusterHost
import ClusterCore
import FoundationEssentials

/// Sends an admin command and reports the committed change (text or JSON).
enum AdminRequest {
    /// Changes wait for a quorum to commit; a move also waits for the service to stop and start.
    static let defaultTimeout: Duration = .seconds(120)

    /// With `wait`, returns only once the service reached the goal (`ServiceWait`).
    static func run(_ command: AdminCommand, global: GlobalOptions, done: String, wait goal: ServiceGoal? = nil) throws {
        let started = ContinuousClock.now
        let startedWall = Int64(Date().timeIntervalSince1970)
        let request = ControlRequest.admin(command)
        let result = try global.send(request, defaultTimeout: defaultTimeout)
        guard case let .committed(commit) = result else {
            throw HactlFailure.failed("the daemon answered \(request.type) with '\(result.type)'")
        }
        guard let goal else {
            if global.json {
                Output.json(AdminOutput(ok: true, request: request, version: commit.version, detail: commit.detail ?? done))
            } else {
                Output.text(commit.detail ?? done)
            }
            return
        }
        if !global.json { Output.text("committed: \(commit.detail ?? done); waiting for \(goal.describe(service: "the service"))") }
        let outcome = try ServiceWait(goal: goal, global: global, started: started, startedWall: startedWall).run()
        if global.json {
            Output.json(AdminOutput(ok: true, request: request, version: commit.version, detail: commit.detail ?? done, wait: outcome))
        } else {
            Output.text("done after \(DurationText.format(.milliseconds(outcome.milliseconds))): \(outcome.detail)")
        }
    }

    /// The node the service runs on now (`move --wait` without a target waits for it to leave).
    static func currentNode(global: GlobalOptions) throws -> String? {
        guard case let .status(report) = try global.send(.status) else { return nil }
        return report.service.node
    }
}

/// `hactl --json <change>` output: `{"ok":true,"request":{...},"version":12,"detail":"..."}`,
/// with `--wait` also `"wait":{"reached":true,"milliseconds":3120,"state":"started","node":"dss2","detail":"..."}`.
struct AdminOutput: Encodable {
    var ok: Bool
    var request: ControlRequest
    var version: UInt64
    var detail: String
    var wait: ServiceWait.Outcome?
}
