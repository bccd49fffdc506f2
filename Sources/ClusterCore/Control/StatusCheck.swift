/// `hactl status --check`: the cluster judged from one node's report, in one line with an
/// exit status, like `crm_mon -s` or a Nagios plugin.
///
/// - `healthy` (exit 0, `OK`): quorate, every node online, the service started where it should
///   be with its health check passing, no failure counted, no link or fence device down, no
///   warning.
/// - `degraded` (exit 1, `WARNING`): the service runs (or was stopped on purpose), but
///   something the operator should look at is wrong: a node not online (offline, in standby,
///   fenced), a learner (configured, not a voting member), a link down, a fence device failing, failures counted, a health check failing
///   below `health_fall`, a takeover or a stop in progress, maintenance mode, the service
///   disabled, a warning of `hactl status`.
/// - `failed` (exit 2, `CRITICAL`): no quorum on this node, or the service should run and does
///   not (stopped, failed, blocked).
///
/// hactl's exit status 3 (the daemon is not reachable) is Nagios's `UNKNOWN`. Pure: the
/// verdict depends on the report only.
public struct StatusCheck: Sendable, Equatable {
    public enum Verdict: String, Sendable, Equatable, CaseIterable {
        case healthy
        case degraded
        case failed

        /// The exit status of `hactl status --check` (Nagios's OK, WARNING, CRITICAL).
        public var exitStatus: Int32 {
            switch self {
            case .healthy: 0
            case .degraded: 1
            case .failed: 2
            }
        }

        /// The word of a Nagios plugin's first line.
        public var nagiosWord: String {
            switch self {
            case .healthy: "OK"
            case .degraded: "WARNING"
            case .failed: "CRITICAL"
            }
        }
    }

    public var verdict: Verdict
    /// What makes the verdict, the most serious first; empty when healthy.
    public var problems: [String]
    /// The one line: `HACLUSTER OK - dss_cluster: service dss started on dss1, 3/3 nodes online, quorate 3/3 | ...`.
    public var line: String

    public init(_ report: StatusReport) {
        var failed: [String] = []
        var degraded: [String] = []
        let quorum = report.quorum
        if !quorum.quorate {
            failed.append("NO QUORUM on \(report.node) (\(quorum.votes)/\(quorum.expected) votes, needs \(quorum.expected / 2 + 1))")
        }
        let service = report.service
        let reason = service.reason.map { ": \($0)" } ?? ""
        switch service.state {
        case .started:
            if let health = service.health, health.state == .unhealthy {
                degraded.append("service \(service.name) health check failing\(health.detail.map { " (\($0))" } ?? "")")
            }
        case .starting, .stopping:
            degraded.append("service \(service.name) \(service.state.rawValue)\(service.node.map { " on \($0)" } ?? "")\(reason)")
        case .stopped, .failed, .blocked:
            let what = "service \(service.name) \(service.state.rawValue.uppercased())\(reason)"
            if service.enabled && !report.maintenance {
                failed.append(what)
            } else if service.state != .stopped {
                degraded.append(what)
            }  // else stopped on purpose: the lines below say why
        }
        if report.maintenance { degraded.append("maintenance mode") }
        if !service.enabled { degraded.append("service \(service.name) disabled") }
        for node in report.nodes where node.state != .online {
            degraded.append("\(node.name) \(node.state.rawValue.uppercased())")
        }
        for node in report.nodes where node.member == false && node.state == .online {
            // Configured and running, but not voting: a `node add` not done yet (or a removed node still running).
            degraded.append("\(node.name) is a learner, not a voting member")
        }
        let online = Set(report.nodes.filter { $0.state == .online }.map(\.name))
        for link in report.links ?? [] where link.state == .down && online.contains(link.node) {
            degraded.append("link \(link.link) (\(link.localAddress)) to \(link.node) down")
        }
        if let arbiter = report.arbiter, arbiter.access == .lost {
            degraded.append("\(report.node) lost its access to the storage arbiter")
        }
        for device in report.fencing?.devices ?? [] where device.state == .failing {
            degraded.append("fence device \(device.name) failing")
        }
        let failures = service.failures.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !failures.isEmpty {
            degraded.append("failures counted: \(failures.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        }
        degraded += report.warnings ?? []

        verdict = !failed.isEmpty ? .failed : (!degraded.isEmpty ? .degraded : .healthy)
        problems = failed + degraded
        let serviceText: String
        switch (service.state, service.node) {
        case let (.started, node?): serviceText = "service \(service.name) started on \(node)"
        case let (state, node?): serviceText = "service \(service.name) \(state.rawValue) (\(node))"
        case let (state, nil): serviceText = "service \(service.name) \(state.rawValue)"
        }
        let summary = problems.isEmpty
            ? "\(serviceText), \(online.count)/\(report.nodes.count) nodes online, quorate \(quorum.votes)/\(quorum.expected)"
            : problems.joined(separator: "; ")
        let perfdata = [
            "nodes_online=\(online.count);;;0;\(report.nodes.count)",
            "votes=\(quorum.votes);;;0;\(quorum.expected)",
            "failures=\(service.failures.values.reduce(0, +))",
            "term=\(report.term)",
        ]
        line = "HACLUSTER \(verdict.nagiosWord) - \(report.cluster): \(summary) | \(perfdata.joined(separator: " "))"
    }

    public var exitStatus: Int32 { verdict.exitStatus }
}
