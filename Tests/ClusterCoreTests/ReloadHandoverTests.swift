import ClusterCore
import CoreTestSupport
import Foundation
import Testing

/// What a daemon re-executing itself in place carries: the election node's volatile state and
/// the wire session survive a JSON round trip and the node goes on as the same member; and the
/// configuration changes a reload must refuse.
@Suite("Reload hand-over")
struct ReloadHandoverTests {
    static func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    @Test("a leader holding the service goes on from its snapshot: same term, lease kept, no election")
    func leaderGoesOn() throws {
        var cluster = ScenarioHarness(nodes: 3, witness: "n3")
        cluster.elect("n1")
        cluster.advance(by: .seconds(1))
        try #require(cluster["n1"].role == .leader)
        try #require(cluster["n1"].service == .holding(term: cluster["n1"].persistent.term))
        let term = cluster["n1"].persistent.term
        let snapshot = try Self.roundTrip(try cluster["n1"].snapshot())

        // The re-executed image: 40 ms of silence, then the same member.
        cluster.now = cluster.now + .milliseconds(40)
        let restored = try ElectionNode(
            name: "n1", config: cluster.config, persisted: cluster["n1"].persistent, seed: 7, restoring: snapshot)
        #expect(try restored.snapshot() == snapshot)
        cluster.nodes["n1"] = restored
        let mark = cluster.mark("n2")
        cluster.advance(by: .seconds(3))
        #expect(cluster["n1"].role == .leader)
        #expect(cluster["n1"].leaseClaimed)
        #expect(cluster["n1"].service == .holding(term: term))
        for name in ["n1", "n2", "n3"] {
            #expect(cluster[name].persistent.term == term, "\(name) moved to term \(cluster[name].persistent.term)")
        }
        #expect(cluster["n2"].service == .idle)
        #expect(!cluster.actions("n2", since: mark).contains { if case .takeover = $0 { true } else { false } })
    }

    @Test("a follower keeps its leader and deadline")
    func followerGoesOn() throws {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        let snapshot = try Self.roundTrip(try cluster["n2"].snapshot())
        let restored = try ElectionNode(name: "n2", config: cluster.config, persisted: cluster["n2"].persistent, seed: 7, restoring: snapshot)
        #expect(restored.role == .follower)
        #expect(restored.leader == "n1")
        #expect(restored.nextDeadline == cluster["n2"].nextDeadline)
    }

    @Test("no snapshot while the service is being taken over; none restored on another term")
    func refusals() throws {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.autoResources = false
        cluster.elect("n1")
        guard case .takingOver = cluster["n1"].service else {
            Issue.record("expected a takeover in progress, got \(cluster["n1"].service)")
            return
        }
        #expect(throws: ElectionSnapshotRefusal.self) { try cluster["n1"].snapshot() }

        let follower = try cluster["n2"].snapshot()
        var other = cluster["n2"].persistent
        other.term = other.term.next
        #expect(throws: ElectionSnapshotRefusal.self) {
            try ElectionNode(name: "n2", config: cluster.config, persisted: other, seed: 1, restoring: follower)
        }
    }

    /// The node's stored properties, by name, as text; those a re-execution deliberately does
    /// not carry are left out (see `ElectionSnapshot`).
    static func carriedState(_ node: ElectionNode) -> [String: String] {
        let notCarried: Set<String> = ["random", "outbox", "forwardedCommands", "placementReason", "mutations"]
        var state: [String: String] = [:]
        for child in Mirror(reflecting: node).children {
            guard let label = child.label, !notCarried.contains(label) else { continue }
            state[label] = canonical(child.value)
        }
        return state
    }

    /// Text of a value with dictionaries and sets in sorted order (their own order varies).
    static func canonical(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .dictionary?, .set?: return "[" + mirror.children.map { canonical($0.value) }.sorted().joined(separator: ", ") + "]"
        default: return String(describing: value)
        }
    }

    @Test("every field of the node is carried, including a failed fence, the previous holder and fenced nodes")
    func everyFieldCarried() throws {
        var cluster = ScenarioHarness(nodes: 2, twoNode: true, waitForAll: true)
        cluster.advance(by: .seconds(4))
        let a = try #require(["n1", "n2"].first { cluster[$0].role == .leader })
        let b = a == "n1" ? "n2" : "n1"
        cluster.isolate(a)
        cluster.advance(by: .seconds(3))
        _ = cluster.step(b, .report(.fenceFailed(node: a, reason: "every level failed to fence \(a): ipmi timed out")))
        try #require(cluster[b].status.fenceFailure != nil)
        try #require(cluster[b].previousHolder == a)

        func check(_ label: Comment) throws {
            let node = cluster[b]
            let restored = try ElectionNode(
                name: b, config: cluster.config, persisted: node.persistent, seed: 99,
                restoring: try Self.roundTrip(try node.snapshot()))
            let before = Self.carriedState(node)
            let after = Self.carriedState(restored)
            #expect(before.keys.sorted() == after.keys.sorted(), label)
            for (field, value) in before where after[field] != value {
                Issue.record("\(label): \(field) not carried: \(value) before, \(after[field] ?? "absent") after")
            }
        }
        try check("blocked by a failed fence")
        _ = cluster.step(b, .report(.fenced(node: a)))
        try #require(cluster[b].status.nodes.first { $0.name == a }?.fenced == true)
        try check("after the fence")
    }

    @Test("a node that is leaving (the daemon stopping) is not snapshotted")
    func noSnapshotWhileLeaving() {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        _ = cluster.step("n2", .leave)
        #expect(throws: ElectionSnapshotRefusal.leaving) { try cluster["n2"].snapshot() }
    }

    @Test("the wire session goes on: same incarnation, sequence continuing, replays still refused")
    func wireGoesOn() throws {
        var sender = WireFixture.session("dss1", incarnation: 5, knowing: ["dss2": 9, "dss3": 3])
        var receiver = WireFixture.session("dss2", incarnation: 9)
        var peer = WireFixture.session("dss3", incarnation: 3, knowing: ["dss1": 5, "dss2": 9])
        let early = try sender.seal([1], to: "dss2")
        _ = try receiver.open(early)
        let fromPeer = try peer.seal([2], to: "dss2")
        _ = try receiver.open(fromPeer)

        // Both re-execute.
        var sender2 = WireSession(
            keys: WireKeys(keyMaterial: WireFixture.key, clusterName: WireFixture.clusterName), localNode: "dss1",
            peers: WireFixture.nodes, restoring: try Self.roundTrip(sender.snapshot))
        var receiver2 = WireSession(
            keys: WireKeys(keyMaterial: WireFixture.key, clusterName: WireFixture.clusterName), localNode: "dss2",
            peers: WireFixture.nodes, restoring: try Self.roundTrip(receiver.snapshot))
        #expect(sender2.incarnation == Incarnation(5))
        #expect(sender2.nextSequence == sender.nextSequence)
        let next = try receiver2.open(try sender2.seal([3], to: "dss2"))
        #expect(next.sequence == 2 && next.incarnation == Incarnation(5))
        #expect(throws: WireError.self) { try receiver2.open(fromPeer) }
        #expect(throws: WireError.self) { try receiver2.open(early) }
        // The peer that saw the old image accepts the new one's datagrams.
        _ = try peer.open(try sender.seal([4], to: "dss3"))
        _ = try peer.open(try sender2.seal([5], to: "dss3"))
    }

    static func config(_ edits: [(String, String)] = []) throws -> (ClusterConfig, String) {
        let text = ConfigFixtures.base(replacing: edits)
        return (try ConfigLoader.parse(toml: text, path: "/etc/hacluster/haclusterd.toml"), text)
    }

    @Test("changes the cluster cannot take live are refused with file, line, key and procedure")
    func liveChanges() throws {
        let (running, _) = try Self.config()
        let (same, sameText) = try Self.config()
        #expect(ConfigReloadRules.refusals(running: running, new: same, keyChanged: false, newSource: sameText, holdingService: true).isEmpty)

        let (renamed, renamedText) = try Self.config([("name = \"dss_cluster\"", "name = \"other\"")])
        let refusals = ConfigReloadRules.refusals(running: running, new: renamed, keyChanged: false, newSource: renamedText, holdingService: false)
        #expect(refusals.count == 1)
        let line = ConfigFixtures.line(of: "name = \"other\"", in: renamedText)
        #expect(refusals.first?.description == "/etc/hacluster/haclusterd.toml:\(line ?? 0): cluster.name changed (dss_cluster -> other): stop the whole cluster, then start it with the new name")

        let (moved, movedText) = try Self.config([("\"198.18.1.12\", \"198.18.2.12\"", "\"198.18.1.22\", \"198.18.2.12\"")])
        #expect(ConfigReloadRules.refusals(running: running, new: moved, keyChanged: false, newSource: movedText, holdingService: false)
            .map(\.location.keyPath) == ["node[1].addresses"])
        #expect(ConfigReloadRules.refusals(running: running, new: same, keyChanged: true, newSource: sameText, holdingService: false)
            .map(\.location.keyPath) == ["cluster.key_file"])

        // A live-applicable change (the start timeout) passes; the units only where the service does not run.
        var units = same
        units.service.units = ["other.service"]
        #expect(ConfigReloadRules.refusals(running: running, new: units, keyChanged: false, newSource: nil, holdingService: false).isEmpty)
        #expect(ConfigReloadRules.refusals(running: running, new: units, keyChanged: false, newSource: nil, holdingService: true)
            .map(\.location.keyPath) == ["service.units"])
    }

    @Test("the node list: a node added live is a learner; a member leaves only after node remove")
    func nodeListChanges() throws {
        let (running, _) = try Self.config()
        let witness4 = "role = \"witness\"\n\n[[node]]\nname = \"dss4\"\naddresses = [\"198.18.1.14\"]\nrole = \"witness\"\n"
        let (added, addedText) = try Self.config([("role = \"witness\"\n", witness4)])
        let members = ["dss1", "dss2", "dss3"]
        // Recorded member list: dss4 joins as a learner.
        #expect(ConfigReloadRules.refusals(running: running, new: added, keyChanged: false, newSource: addedText, holdingService: true, members: members).isEmpty)
        // Not recorded: every node would count dss4 as a member at once.
        let unrecorded = ConfigReloadRules.refusals(running: running, new: added, keyChanged: false, newSource: addedText, holdingService: false, members: nil)
        #expect(unrecorded.map(\.location.keyPath) == ["node"])
        #expect(unrecorded.first?.description.contains("member list") == true)
        // Dropping dss4 again: only once it is not a member.
        #expect(ConfigReloadRules.refusals(running: added, new: running, keyChanged: false, newSource: nil, holdingService: false, members: members).isEmpty)
        let stillMember = ConfigReloadRules.refusals(running: added, new: running, keyChanged: false, newSource: nil, holdingService: false, members: members + ["dss4"])
        #expect(stillMember.map(\.description) == ["/etc/hacluster/haclusterd.toml: node changed (dss4 removed): dss4 is a voting member: run hactl node remove dss4 first, then reload"])
        // Kept nodes keep their order.
        var reordered = added
        reordered.nodes.swapAt(0, 1)
        #expect(ConfigReloadRules.refusals(running: running, new: reordered, keyChanged: false, newSource: nil, holdingService: false, members: members)
            .map(\.location.keyPath) == ["node"])
    }
}
