import ClusterCore
import Testing

@Suite("Placement")
struct PlacementTests {
    static let config = ScenarioHarness(nodes: 4, priorities: ["n2": 120, "n3": 120], witness: "n4").config
    let everyone: Set<String> = ["n1", "n2", "n3", "n4"]

    @Test("the service runs on an eligible leader")
    func onLeader() {
        #expect(Placement.decide(config: Self.config, admin: .initial, leader: "n1", online: everyone, lastActive: nil, wallClock: 0) == .runOnLeader)
    }

    @Test("an ineligible leader hands over to the best node: priority, then stickiness, then name")
    func bestNode() {
        var admin = AdminState.initial
        admin.standby = ["n1"]
        #expect(Placement.decide(config: Self.config, admin: admin, leader: "n1", online: everyone, lastActive: nil, wallClock: 0)
            == .transfer(to: "n2", reason: .leaderIneligible(.standby)))
        #expect(Placement.decide(config: Self.config, admin: admin, leader: "n1", online: everyone, lastActive: "n3", wallClock: 0)
            == .transfer(to: "n3", reason: .leaderIneligible(.standby)))
        // Witnesses never; offline nodes never.
        #expect(Placement.decide(config: Self.config, admin: admin, leader: "n1", online: ["n1", "n4"], lastActive: nil, wallClock: 0) == .stop(.noEligibleNode))
    }

    @Test("bans expire at their absolute wall-clock time")
    func banExpiry() {
        var admin = AdminState.initial
        admin.constraints = [AdminConstraint(kind: .ban, node: "n1", expires: 1_000)]
        #expect(Placement.ineligibility(of: "n1", config: Self.config, admin: admin, wallClock: 999) == .banned)
        #expect(Placement.ineligibility(of: "n1", config: Self.config, admin: admin, wallClock: 1_000) == nil)
    }

    @Test("failures reach the migration threshold, then expire")
    func failures() {
        var admin = AdminState.initial
        admin.failures = [FailureRecord(node: "n1", count: 3, lastFailure: 100)]
        #expect(Placement.ineligibility(of: "n1", config: Self.config, admin: admin, wallClock: 200) == .failures(3))
        #expect(Placement.ineligibility(of: "n1", config: Self.config, admin: admin, wallClock: 100 + 600) == nil)
    }

    @Test("disabled stops, maintenance leaves alone, a preferred node wins")
    func adminSwitches() {
        var admin = AdminState.initial
        admin.enabled = false
        #expect(Placement.decide(config: Self.config, admin: admin, leader: "n1", online: everyone, lastActive: nil, wallClock: 0) == .stop(.disabled))
        admin.maintenance = true
        #expect(Placement.decide(config: Self.config, admin: admin, leader: "n1", online: everyone, lastActive: nil, wallClock: 0) == .leaveAlone)
        admin = .initial
        admin.constraints = [AdminConstraint(kind: .prefer, node: "n3")]
        #expect(Placement.decide(config: Self.config, admin: admin, leader: "n1", online: everyone, lastActive: nil, wallClock: 0) == .transfer(to: "n3", reason: .preferred("n3")))
    }
}
