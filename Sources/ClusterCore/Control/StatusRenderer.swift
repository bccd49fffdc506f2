/// `hactl status` for humans: one screen, the most important line first.
///
/// Pure: the caller passes the current time, so remaining lifetimes and
/// "since" ages are testable with fixtures.
public struct StatusRenderer: Sendable {
    public var now: UTCTimestamp

    public init(now: UTCTimestamp) {
        self.now = now
    }

    public func render(_ report: StatusReport) -> String {
        var lines: [String] = []
        lines.append(headline(report))
        if let time = report.time {
            // Like crm_mon's "Last updated": a screen left open (watch) says how old it is.
            lines.append("Last updated: \(time.iso8601) by \(report.node)")
        }
        if report.maintenance {
            lines.append("MAINTENANCE MODE: the cluster starts, stops, moves and fences nothing (hactl maintenance off)")
        }
        for warning in report.warnings ?? [] {
            lines.append("WARNING: \(warning)")
        }
        lines.append("")
        lines.append(contentsOf: nodeLines(report))
        if let links = report.links, showsLinks(links) {
            lines.append("")
            lines.append(contentsOf: linkLines(links))
        }
        if let arbiter = report.arbiter {
            lines.append("")
            lines.append(contentsOf: arbiterLines(arbiter, node: report.node))
        }
        if let etcd = report.etcd {
            lines.append("")
            lines.append(contentsOf: etcdLines(etcd, node: report.node))
        }
        lines.append("")
        lines.append(contentsOf: serviceLines(report))
        lines.append("")
        lines.append(contentsOf: constraintLines(report))
        if let fencing = report.fencing {
            lines.append("")
            lines.append(contentsOf: fencingLines(fencing))
        }
        if let failover = report.lastFailover {
            lines.append("")
            lines.append(contentsOf: failoverLines(failover))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func headline(_ report: StatusReport) -> String {
        let quorum = report.quorum
        let quorumText = quorum.quorate
            ? "quorate, \(quorum.votes)/\(quorum.expected) votes"
            : "NO QUORUM, \(quorum.votes)/\(quorum.expected) votes (needs \(quorum.expected / 2 + 1))"
        let coordinator = report.coordinator.map { "coordinator \($0)" } ?? "no coordinator"
        return "Cluster \(report.cluster): \(quorumText), \(coordinator), term \(report.term) (as seen from \(report.node))"
    }

    /// One line per node: name, state, role, the release it runs (`unknown` when it did not
    /// tell), then what else applies: `dss2  online  standby  0.9.0  priority 50, heard 40ms ago`.
    private func nodeLines(_ report: StatusReport) -> [String] {
        let width = max(4, report.nodes.map(\.name.count).max() ?? 4)
        let releases = report.nodes.map { $0.version ?? "unknown" }
        let releaseWidth = releases.map(\.count).max() ?? 0
        var lines = ["Nodes:"]
        for (node, release) in zip(report.nodes, releases) {
            let peer = node.name != report.node
            var extras: [String] = []
            if !peer { extras.append("this node") }
            if node.name == report.coordinator { extras.append("coordinator") }
            if node.member == false { extras.append("learner, not a voting member (hactl node add \(node.name))") }
            if let priority = node.priority, node.role != .witness { extras.append("priority \(priority)") }
            if peer, node.state == .online || node.state == .standby, let heard = node.lastHeardMilliseconds {
                extras.append("heard \(DurationText.format(.milliseconds(heard))) ago")
            } else if peer, node.state != .online, let seen = node.lastSeen {
                extras.append("last seen \(ago(seen))")
            }
            let state = node.state == .online ? "online" : node.state.rawValue.uppercased()
            let row = "  \(pad(node.name, width))  \(pad(state, 8))  \(pad(node.role.rawValue, 8))  \(pad(release, releaseWidth))"
            lines.append(extras.isEmpty ? trimmed(row) : "\(row)  \(extras.joined(separator: ", "))")
        }
        return lines
    }

    /// `Coordination: etcd` with each endpoint's health and this node's lease, like
    /// `etcdctl endpoint status` and `etcdctl lease timetolive`.
    private func etcdLines(_ etcd: StatusReport.Etcd, node: String) -> [String] {
        let healthy = etcd.endpoints.filter(\.healthy).count
        var lines = ["Coordination: etcd, prefix \(etcd.prefix), \(healthy)/\(etcd.endpoints.count) endpoints healthy"]
        for endpoint in etcd.endpoints {
            let state = endpoint.healthy ? (endpoint.leader ? "healthy, etcd leader" : "healthy") : "UNHEALTHY"
            lines.append("  \(endpoint.endpoint): \(state)\(endpoint.error.map { "; \($0)" } ?? "")")
        }
        let ttl = DurationText.format(.milliseconds(etcd.leaseTTLMilliseconds))
        if let lease = etcd.lease, let remaining = etcd.leaseRemainingMilliseconds {
            lines.append("  \(node): lease \(lease), TTL \(ttl), acts on it for \(remaining) ms more")
        } else {
            lines.append("  \(node): NO LEASE (TTL \(ttl)): acting on nothing until etcd grants one")
        }
        return lines
    }

    /// `Storage arbiter:` like sbd's `list`: the file, this node's access, each peer's slot.
    private func arbiterLines(_ arbiter: StatusReport.Arbiter, node: String) -> [String] {
        var lines = ["Storage arbiter: \(arbiter.file)\(arbiter.io.map { " (\($0) I/O)" } ?? "")"]
        let written = arbiter.lastWriteMilliseconds.map { "last written \($0) ms ago" } ?? "not written yet"
        lines.append("  \(node): \(arbiter.access == .ok ? "ok" : "LOST"), \(written)\(arbiter.error.map { "; \($0)" } ?? "")")
        for slot in arbiter.slots {
            let age = slot.ageMilliseconds.map { "updated \($0) ms ago" } ?? "never seen updating"
            lines.append("  \(slot.node): \(slot.verdict), \(age)\(slot.holding ? ", holding the service" : "")\(slot.networkLost ? ", lost on the network" : "")")
        }
        if let io = arbiter.ioCounters {
            lines.append("  I/O since open: \(io.reads) reads (\(io.bytesRead) bytes), \(io.writes) writes (\(io.bytesWritten) bytes)")
        }
        lines.append("  verdict: \(arbiter.verdict)")
        return lines
    }

    /// Links are worth a section with redundant links, or when one is down.
    private func showsLinks(_ links: [StatusReport.Link]) -> Bool {
        links.contains { $0.link > 0 || $0.state == .down }
    }

    /// One line per peer: `dss2  link 0 (198.18.1.11) up, link 1 (198.18.2.11) DOWN 12s`.
    private func linkLines(_ links: [StatusReport.Link]) -> [String] {
        var peers: [String] = []
        for link in links where !peers.contains(link.node) { peers.append(link.node) }
        let width = peers.map(\.count).max() ?? 0
        var lines = ["Links:"]
        for peer in peers {
            let states = links.filter { $0.node == peer }.sorted { $0.link < $1.link }.map { link -> String in
                var text = "link \(link.link) (\(link.localAddress)) "
                switch (link.state, link.lastHeardMilliseconds) {
                case (.up, _): text += "up"
                case let (.down, heard?): text += "DOWN \(DurationText.format(.milliseconds(heard)))"
                case (.down, nil): text += "DOWN (never heard)"
                }
                return text
            }
            lines.append("  \(pad(peer, width))  \(states.joined(separator: ", "))")
        }
        return lines
    }

    private func serviceLines(_ report: StatusReport) -> [String] {
        let service = report.service
        var head = "Service \(service.name): \(service.state == .started ? "started" : service.state.rawValue.uppercased())"
        if let node = service.node {
            head += service.state == .started ? " on \(node)" : " (\(node))"
        }
        if let since = service.since {
            head += " since \(since.iso8601) (\(ago(since)))"
        }
        head += service.enabled ? ", enabled" : ", DISABLED (hactl enable)"
        var lines = [head]
        if let reason = service.reason {
            lines.append("  reason:   \(reason)")
        }
        if let health = service.health {
            var text = "  health:   \(health.state.rawValue)"
            if let detail = health.detail { text += " (\(detail))" }
            if let checked = health.checked { text += ", checked \(ago(checked))" }
            lines.append(text)
        }
        if let units = service.units, !units.isEmpty {
            lines.append("  units:    \(units.joined(separator: ", "))")
        }
        if !service.failures.isEmpty {
            let counts = service.failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            let total = service.failures.values.reduce(0, +)
            lines.append("  failures: \(counts.joined(separator: ", "))\(total > 0 ? " (hactl cleanup forgets them)" : "")")
        }
        return lines
    }

    private func constraintLines(_ report: StatusReport) -> [String] {
        guard !report.constraints.isEmpty else { return ["Constraints: none"] }
        var lines = ["Constraints:"]
        for constraint in report.constraints {
            let what = constraint.kind == .ban ? "ban     \(constraint.node)" : "prefer  \(constraint.node)"
            let lifetime: String
            if let expires = constraint.expires {
                let left = expires.secondsSinceEpoch - now.secondsSinceEpoch
                lifetime = left > 0
                    ? "expires \(expires.iso8601) (in \(DurationText.format(seconds: left)))"
                    : "expired \(expires.iso8601) (being removed)"
            } else {
                lifetime = "until hactl clear \(constraint.node)"
            }
            lines.append("  \(what)  \(lifetime)")
        }
        return lines
    }

    private func fencingLines(_ fencing: StatusReport.Fencing) -> [String] {
        guard fencing.enabled else { return ["Fencing: DISABLED (enabled = false): a failed node is not fenced before takeover"] }
        guard !fencing.devices.isEmpty else { return ["Fencing: enabled, no devices"] }
        var lines = ["Fencing:"]
        let width = fencing.devices.map(\.name.count).max() ?? 0
        for device in fencing.devices.sorted(by: { ($0.level, $0.name) < ($1.level, $1.name) }) {
            var text = "  \(pad(device.name, width))  \(device.agent), level \(device.level), for \(device.nodes.joined(separator: ", ")): "
            text += device.state == .ok ? "ok" : device.state.rawValue.uppercased()
            if device.state == .failing, let since = device.failingSince { text += " since \(ago(since))" }
            if let checked = device.checked { text += " (checked \(ago(checked)))" }
            if let detail = device.detail, device.state != .ok { text += ": \(detail)" }
            lines.append(text)
        }
        return lines
    }

    private func failoverLines(_ failover: StatusReport.Failover) -> [String] {
        let from = failover.from.map { "from \($0) " } ?? ""
        var head = "Last failover: \(from)to \(failover.to) at \(failover.started.iso8601) (\(ago(failover.started))), \(failover.reason)"
        if let total = failover.milliseconds {
            head += "; took \(total < 10_000 ? "\(total)ms" : DurationText.format(.milliseconds(total)))"
        } else if let finished = failover.finished {
            // A daemon that reports no total: whole seconds of wall clock are all there is.
            let seconds = finished.secondsSinceEpoch - failover.started.secondsSinceEpoch
            head += seconds < 1 ? "; took less than 1s" : "; took about \(DurationText.format(seconds: seconds))"
        } else {
            head += "; in progress"
        }
        var lines = [head]
        if !failover.steps.isEmpty {
            let steps = failover.steps.map { step in
                "\(step.name) \(DurationText.format(.milliseconds(step.milliseconds)))\(step.ok ? "" : " FAILED")"
            }
            lines.append("  " + steps.joined(separator: " -> "))
            for step in failover.steps where !step.ok {
                if let detail = step.detail { lines.append("  \(step.name): \(detail)") }
            }
        }
        return lines
    }

    private func ago(_ time: UTCTimestamp) -> String {
        let seconds = now.secondsSinceEpoch - time.secondsSinceEpoch
        if seconds < 0 { return "in \(DurationText.format(seconds: -seconds))" }
        if seconds == 0 { return "just now" }
        return "\(DurationText.format(seconds: seconds)) ago"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func trimmed(_ text: String) -> String {
        var result = text
        while result.hasSuffix(" ") { result.removeLast() }
        return result
    }
}
