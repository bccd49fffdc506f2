import CoreTestSupport
import Testing

@testable import ClusterCore

@Suite("hactl --wait: when the service got there")
struct ServiceGoalTests {
    /// The spec's report: dataiku started on dss1, seen from dss1.
    private func report(_ state: StatusReport.ServiceState, on node: String?, reason: String? = nil, enabled: Bool = true) -> StatusReport {
        var report = StatusReportFixtures.spec
        report.service.state = state
        report.service.node = node
        report.service.reason = reason
        report.service.enabled = enabled
        return report
    }

    private func reached(_ verdict: ServiceGoal.Verdict) -> Bool {
        if case .reached = verdict { return true }
        return false
    }

    private func failing(_ verdict: ServiceGoal.Verdict) -> Bool {
        if case .failing = verdict { return true }
        return false
    }

    @Test("move dss2: still on dss1 or starting is pending; started on dss2 is reached")
    func moveToNode() {
        let goal = ServiceGoal.moved(to: "dss2", from: "dss1")
        #expect(goal.judge(report(.started, on: "dss1")) == .pending("service dataiku started on dss1"))
        #expect(goal.judge(report(.stopping, on: "dss1")) == .pending("service dataiku stopping (dss1)"))
        #expect(goal.judge(report(.starting, on: "dss2", reason: "dss2 is taking over"))
            == .pending("service dataiku starting (dss2): dss2 is taking over"))
        #expect(goal.judge(report(.started, on: "dss2")) == .reached("service dataiku started on dss2"))
    }

    @Test("move dss2: started on a third node, failed or blocked is failing, and says why")
    func moveGoesWrong() {
        let goal = ServiceGoal.moved(to: "dss2", from: "dss1")
        #expect(goal.judge(report(.started, on: "dss3")) == .failing("service dataiku started on dss3 instead of dss2"))
        #expect(goal.judge(report(.failed, on: nil, reason: "the last takeover failed; retrying"))
            == .failing("service dataiku FAILED: the last takeover failed; retrying"))
        #expect(failing(goal.judge(report(.blocked, on: nil, reason: "no eligible node"))))
        #expect(failing(goal.judge(report(.stopped, on: nil, reason: "disabled", enabled: false))), "disabled meanwhile")
    }

    @Test("move without a target: reached anywhere but the node it left")
    func moveAway() {
        let goal = ServiceGoal.moved(to: nil, from: "dss1")
        #expect(!reached(goal.judge(report(.started, on: "dss1"))))
        #expect(reached(goal.judge(report(.started, on: "dss2"))))
    }

    @Test("a failing health check on the node itself is not there yet")
    func healthFailing() {
        var started = report(.started, on: "dss1")
        started.service.health = .init(state: .unhealthy, detail: "HTTP 503 (1 of 3 in a row)")
        #expect(!reached(ServiceGoal.running.judge(started)))
        started.service.health = .init(state: .healthy)
        #expect(reached(ServiceGoal.running.judge(started)))
    }

    @Test("standby NODE: reached once the service runs elsewhere, or is stopped on purpose")
    func standby() {
        let goal = ServiceGoal.leftNode("dss1")
        #expect(!reached(goal.judge(report(.started, on: "dss1"))))
        #expect(!reached(goal.judge(report(.starting, on: "dss2"))))
        #expect(reached(goal.judge(report(.started, on: "dss2"))))
        #expect(reached(goal.judge(report(.stopped, on: nil, enabled: false))))
        #expect(failing(goal.judge(report(.blocked, on: nil, reason: "no eligible node"))), "nowhere else to go")
    }

    @Test("enable waits for started; disable for stopped everywhere")
    func enableDisable() {
        #expect(!reached(ServiceGoal.running.judge(report(.stopped, on: nil))))
        #expect(!reached(ServiceGoal.running.judge(report(.starting, on: "dss1"))))
        #expect(reached(ServiceGoal.running.judge(report(.started, on: "dss1"))))
        #expect(!reached(ServiceGoal.stopped.judge(report(.started, on: "dss1", enabled: false))))
        #expect(!reached(ServiceGoal.stopped.judge(report(.stopping, on: "dss1", enabled: false))))
        #expect(reached(ServiceGoal.stopped.judge(report(.stopped, on: nil, reason: "disabled", enabled: false))))
    }
}
