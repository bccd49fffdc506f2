import ClusterHost
import ClusterCore

/// Sends an admin command and reports the committed change (text or JSON).
enum AdminRequest {
    /// Changes wait for a quorum to commit; a move also waits for the service to stop and start.
    static let defaultTimeout: Duration = .seconds(120)

    static func run(_ command: AdminCommand, global: GlobalOptions, done: String) throws {
        let request = ControlRequest.admin(command)
        let result = try global.send(request, defaultTimeout: defaultTimeout)
        guard case let .committed(commit) = result else {
            throw HactlFailure.failed("the daemon answered \(request.type) with '\(result.type)'")
        }
        if global.json {
            Output.json(AdminOutput(ok: true, request: request, version: commit.version, detail: commit.detail ?? done))
        } else {
            Output.text(commit.detail ?? done)
        }
    }
}

/// `hactl --json <change>` output: `{"ok":true,"request":{...},"version":12,"detail":"..."}`.
struct AdminOutput: Encodable {
    var ok: Bool
    var request: ControlRequest
    var version: UInt64
    var detail: String
}
