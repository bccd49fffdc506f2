import CoreTestSupport
import Testing

@testable import ClusterCore

@Suite("hactl status --check: the verdict and its line")
struct StatusCheckTests {
    /// The spec's report without its constraint: quorate, every node online, the service started.
    private var healthy: StatusReport {
        var report = StatusReportFixtures.spec
        report.constraints = []
        report.service.health = .init(state: .healthy, detail: "HTTP 200")
        return report
    }

    @Test("a healthy cluster is OK, exit 0, with Nagios performance data")
    func healthyCluster() {
        let check = StatusCheck(healthy)
        #expect(check.verdict == .healthy)
        #expect(check.exitStatus == 0)
        #expect(check.problems.isEmpty)
        #expect(check.line == "HACLUSTER OK - dss_cluster: service dataiku started on dss1, 3/3 nodes online, quorate 3/3 | nodes_online=3;;;0;3 votes=3;;;0;3 failures=0 term=7")
    }

    @Test("a constraint alone is no problem: a move leaves one behind")
    func constraintIsFine() {
        #expect(StatusCheck(StatusReportFixtures.spec).verdict == .healthy)
    }

    @Test("a node down is degraded (exit 1) and named")
    func nodeDown() {
        var report = healthy
        report.nodes[2].state = .offline
        report.quorum.votes = 2
        let check = StatusCheck(report)
        #expect(check.verdict == .degraded)
        #expect(check.exitStatus == 1)
        #expect(check.problems == ["dss3 OFFLINE"])
        #expect(check.line.hasPrefix("HACLUSTER WARNING - dss_cluster: dss3 OFFLINE | nodes_online=2;;;0;3 votes=2;;;0;3"))
    }

    @Test("each reason for degraded counts on its own")
    func degradedReasons() {
        var cases: [(String, (inout StatusReport) -> Void)] = []
        cases.append(("standby", { $0.nodes[1].state = .standby }))
        cases.append(("learner", { $0.nodes[2].member = false }))
        cases.append(("link down", { $0.links = [.init(node: "dss2", link: 1, localAddress: "198.18.2.11", state: .down, lastHeardMilliseconds: 5000)] }))
        cases.append(("fence device", {
            $0.fencing = .init(enabled: true, devices: [.init(name: "ipmi-dss1", agent: "fence_ipmilan", nodes: ["dss1"], level: 1, state: .failing)])
        }))
        cases.append(("failures", { $0.service.failures["dss2"] = 1 }))
        cases.append(("health", { $0.service.health = .init(state: .unhealthy, detail: "HTTP 503 (1 of 3 in a row)") }))
        cases.append(("starting", { $0.service.state = .starting }))
        cases.append(("maintenance", { $0.maintenance = true }))
        cases.append(("disabled", { $0.service.enabled = false; $0.service.state = .stopped; $0.service.node = nil }))
        cases.append(("warning", { $0.warnings = ["dss2 runs haclusterd 0.8.0, this node 0.9.0"] }))
        for (name, change) in cases {
            var report = healthy
            change(&report)
            let check = StatusCheck(report)
            #expect(check.verdict == .degraded, "\(name): \(check.line)")
            #expect(!check.problems.isEmpty, "\(name)")
        }
    }

    @Test("a link down to a node that is down anyway is not counted twice")
    func linkOfDownNode() {
        var report = healthy
        report.nodes[1].state = .offline
        report.links = [.init(node: "dss2", link: 0, localAddress: "198.18.1.11", state: .down, lastHeardMilliseconds: 9000)]
        #expect(StatusCheck(report).problems == ["dss2 OFFLINE"])
    }

    @Test("no quorum, or a service that should run and does not, is failed (exit 2)")
    func failedCluster() {
        var noQuorum = healthy
        noQuorum.quorum = .init(quorate: false, votes: 1, expected: 3)
        noQuorum.nodes[1].state = .offline
        noQuorum.nodes[2].state = .offline
        let first = StatusCheck(noQuorum)
        #expect(first.verdict == .failed)
        #expect(first.exitStatus == 2)
        #expect(first.problems.first == "NO QUORUM on dss1 (1/3 votes, needs 2)", "the most serious first")
        #expect(first.line.hasPrefix("HACLUSTER CRITICAL - dss_cluster: NO QUORUM on dss1"))

        for state in [StatusReport.ServiceState.stopped, .failed, .blocked] {
            var report = healthy
            report.service.state = state
            report.service.node = nil
            report.service.reason = "fencing dss1 failed; retrying"
            let check = StatusCheck(report)
            #expect(check.verdict == .failed, "\(state)")
            #expect(check.problems.first == "service dataiku \(state.rawValue.uppercased()): fencing dss1 failed; retrying")
        }
    }

    @Test("a service stopped on purpose (disabled, maintenance) is degraded, not failed")
    func stoppedOnPurpose() {
        var disabled = healthy
        disabled.service.enabled = false
        disabled.service.state = .stopped
        disabled.service.node = nil
        disabled.service.reason = "disabled"
        #expect(StatusCheck(disabled).verdict == .degraded)
        #expect(StatusCheck(disabled).problems == ["service dataiku disabled"], "said once")
        var maintenance = healthy
        maintenance.maintenance = true
        maintenance.service.state = .stopped
        #expect(StatusCheck(maintenance).verdict == .degraded)
    }

    @Test("the full fixture: unclean node, failing device, failures, maintenance")
    func fullFixture() {
        let check = StatusCheck(StatusReportFixtures.full)
        #expect(check.verdict == .degraded)
        #expect(check.problems.contains("dss1 UNCLEAN"))
        #expect(check.problems.contains("fence device pdu failing"))
        #expect(check.problems.contains("failures counted: dss1 2"))
        #expect(check.problems.contains("maintenance mode"))
        #expect(!check.line.contains("\n"), "one line")
    }
}
