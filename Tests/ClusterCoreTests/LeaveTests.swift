import ClusterCore
import Testing

/// `Input.leave` (the daemon's SIGTERM) and maintenance mode: a planned stop is a
/// handover that nobody fences, and maintenance leaves manual work alone.
@Suite("Leave and maintenance")
struct LeaveTests {
    /// Ticks until `node` says its leave is done (nil if not within `limit`).
    static func leave(_ node: String, in cluster: inout ScenarioHarness, limit: Duration = .seconds(5)) -> LeaveProgress? {
        cluster.step(node, .leave)
        cluster.deliverAll()
        let end = cluster.now + limit
        while cluster.now < end {
            if cluster[node].leaveProgress.isDone { return cluster[node].leaveProgress }
            cluster.advance(by: .milliseconds(10))
        }
        return nil
    }

    static func fences(_ actions: [Action]) -> [String] {
        actions.flatMap { action -> [String] in
            switch action {
            case .fence(let node, _): [node]
            case .takeover(_, let fenceFirst): fenceFirst
            default: []
            }
        }
    }

    static func isRelease(_ action: Action) -> Bool { if case .release = action { return true } else { return false } }
    static func isTakeover(_ action: Action) -> Bool { if case .takeover = action { return true } else { return false } }

    @Test("a leaving leader releases, leaves mayHold in a committed snapshot, hands over; the next holder fences nobody")
    func leavingLeaderHandsOver() {
        var cluster = ScenarioHarness(nodes: 3, priorities: ["n1": 100, "n2": 90, "n3": 80])
        cluster.elect("n1")
        let term = cluster["n1"].term
        #expect(cluster["n1"].service == .holding(term: term))
        #expect(cluster["n1"].persistent.admin.mayHold == ["n1"])
        let marks = ["n1", "n2", "n3"].map { cluster.mark($0) }

        let progress = Self.leave("n1", in: &cluster)
        #expect(progress == .done)
        let n1 = cluster["n1"]
        #expect(n1.role == .follower)
        #expect(n1.service == .idle)
        #expect(!n1.persistent.admin.mayHold.contains("n1"))
        #expect(n1.committed >= n1.persistent.admin.stamp)

        // In order: release, then the snapshot without n1, then leadership to the best node (n2).
        let actions = cluster.actions("n1", since: marks[0])
        let release = actions.firstIndex(of: .release(.leaving))
        let recorded = actions.firstIndex { if case .persist(let state) = $0 { return !state.admin.mayHold.contains("n1") } else { return false } }
        let handOver = actions.firstIndex(of: .send(to: "n2", .timeoutNow(term: term)))
        #expect(release != nil && recorded != nil && handOver != nil)
        if let release, let recorded, let handOver {
            #expect(release < recorded && recorded < handOver)
        }

        // n1's daemon exits; n2 runs the service, fencing nobody.
        cluster.nodes["n1"] = nil
        cluster.advance(by: .seconds(5))
        #expect(cluster["n2"].role == .leader)
        #expect(cluster["n2"].service == .holding(term: cluster["n2"].term))
        #expect(cluster["n2"].persistent.admin.mayHold == ["n2"])
        #expect(cluster.fenced.isEmpty)
        for (node, mark) in zip(["n1", "n2", "n3"], marks) {
            #expect(Self.fences(cluster.actions(node, since: mark)).isEmpty, "\(node) fenced someone")
        }
        #expect(cluster.actions("n2", since: marks[1]).contains(.takeover(term: cluster["n2"].term, fenceFirst: [])))
    }

    @Test("a leaving follower just leaves: nothing moves, nobody fences, it never campaigns")
    func leavingFollowerJustLeaves() {
        var cluster = ScenarioHarness(nodes: 3, priorities: ["n1": 100, "n2": 90, "n3": 80])
        cluster.elect("n1")
        let term = cluster["n1"].term
        let marks = ["n1", "n2", "n3"].map { cluster.mark($0) }

        #expect(Self.leave("n2", in: &cluster, limit: .seconds(1)) == .done)
        cluster.nodes["n2"] = nil
        cluster.advance(by: .seconds(5))
        #expect(cluster["n1"].role == .leader)
        #expect(cluster["n1"].service == .holding(term: term))
        #expect(!cluster.actions("n1", since: marks[0]).contains(where: Self.isRelease))
        #expect(!cluster.actions("n2", since: marks[1]).contains(where: Self.isRelease))
        for (node, mark) in zip(["n1", "n2", "n3"], marks) {
            #expect(Self.fences(cluster.actions(node, since: mark)).isEmpty, "\(node) fenced someone")
        }
    }

    @Test("a leaving node does not campaign when the leader is gone, and ignores timeoutNow")
    func leavingNodeNeverCampaigns() {
        var cluster = ScenarioHarness(nodes: 3, priorities: ["n1": 100, "n2": 90, "n3": 80])
        cluster.elect("n1")
        let term = cluster["n1"].term
        cluster.step("n3", .leave)
        let mark = cluster.mark("n3")
        // A transfer to a leaving node is refused (the leader's transfer times out instead).
        let answer = cluster.step("n3", .received(.timeoutNow(term: term), from: "n1"))
        #expect(answer.filter { $0.isSend || $0.isPersist }.isEmpty)
        // The leader dies: n2 takes over; n3 asks for no (pre-)votes.
        cluster.nodes["n1"] = nil
        cluster.advance(by: .seconds(6))
        let campaigns = cluster.actions("n3", since: mark).filter {
            if case .send(_, .preVoteRequest) = $0 { return true }
            if case .send(_, .voteRequest) = $0 { return true }
            return false
        }
        #expect(campaigns.isEmpty)
        #expect(cluster["n3"].term == cluster["n2"].term)
        #expect(cluster["n2"].role == .leader)
        #expect(cluster["n3"].leaveProgress.isDone)
    }

    @Test("a leaving leader nobody can replace releases, leaves mayHold in a committed snapshot and steps down")
    func leavingLeaderWithNobodyToHandOverTo() {
        var cluster = ScenarioHarness(nodes: 3, priorities: ["n1": 100, "n2": 90], witness: "n3")
        cluster.elect("n1")
        #expect(cluster["n1"].service == .holding(term: cluster["n1"].term))
        // n2 is down: only the witness is left, which cannot lead.
        cluster.nodes["n2"] = nil
        cluster.advance(by: .seconds(2))
        let mark = cluster.mark("n1")
        #expect(Self.leave("n1", in: &cluster) == .done)
        let actions = cluster.actions("n1", since: mark)
        #expect(actions.contains(.release(.leaving)))
        #expect(!actions.contains { if case .send(_, .timeoutNow) = $0 { return true } else { return false } })
        #expect(Self.fences(actions).isEmpty)
        #expect(cluster["n1"].role == .follower)
        #expect(!cluster["n1"].persistent.admin.mayHold.contains("n1"))
        // The quorum (n1 and the witness) stores the record without n1: no later leader fences it.
        #expect(cluster["n3"].persistent.admin.mayHold.isEmpty)
        #expect(cluster["n3"].persistent.admin.stamp == cluster["n1"].persistent.admin.stamp)
        #expect(cluster["n1"].committed >= cluster["n1"].persistent.admin.stamp)
    }

    @Test("maintenance: a unit failure is not counted and releases nothing; after maintenance it is")
    func maintenanceIgnoresUnitFailures() {
        var cluster = ScenarioHarness(nodes: 3, priorities: ["n1": 100, "n2": 90, "n3": 80])
        cluster.elect("n1")
        let term = cluster["n1"].term
        cluster.step("n1", .command(RequestID(1), .maintenance(on: true)))
        cluster.advance(by: .seconds(1))
        #expect(cluster["n1"].persistent.admin.maintenance)

        let mark = cluster.mark("n1")
        cluster.step("n1", .report(.serviceFailed(reason: "unit stopped by hand")))
        cluster.advance(by: .seconds(3))
        #expect(cluster["n1"].service == .holding(term: term))
        #expect(!cluster.actions("n1", since: mark).contains(where: Self.isRelease))
        #expect(cluster["n1"].persistent.admin.failures.isEmpty)
        #expect(Self.fences(cluster.actions("n1", since: mark)).isEmpty)

        // Maintenance off: the same report is a failure again (counted, restarted in place).
        cluster.step("n1", .command(RequestID(2), .maintenance(on: false)))
        cluster.advance(by: .seconds(1))
        let after = cluster.mark("n1")
        cluster.step("n1", .report(.serviceFailed(reason: "unit failed")))
        #expect(cluster.actions("n1", since: after).contains(.restart(term: term)))
        #expect(cluster["n1"].persistent.admin.failureCount(of: "n1", at: cluster.wallClock, expiry: cluster.config.service.failureExpiry) == 1)
    }
}
