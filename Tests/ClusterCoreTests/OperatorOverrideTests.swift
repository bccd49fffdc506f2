import Testing
@testable import ClusterCore

/// `hactl fence confirm` and `hactl quorum unblock` in the core (`Input.override`): each
/// lifts a safety wait, so each must be refused whenever it could be wrong.
@Suite struct OperatorOverrideTests {
    static func takeovers(_ actions: [Action]) -> [(term: Term, fenceFirst: [String])] {
        actions.compactMap { if case let .takeover(term, fenceFirst) = $0 { return (term, fenceFirst) } else { return nil } }
    }

    static func events(_ actions: [Action], _ kind: EventKind) -> [EventRecord] {
        actions.compactMap { if case let .event(record) = $0, record.kind == kind { return record } else { return nil } }
    }

    /// n1 runs the service, then dies with its fence device: n2 leads, its takeover's fence
    /// of n1 fails, and the service is blocked. (n3 is a witness.)
    static func blockedOnDeadNode() -> ScenarioHarness {
        var cluster = ScenarioHarness(nodes: 3, witness: "n3")
        cluster.elect("n1")
        #expect(cluster["n1"].service.mayRun)
        cluster.isolate("n1")
        cluster.paused.insert("n1")
        cluster.autoResources = false
        let mark = cluster.mark("n2")
        cluster.advance(by: .seconds(4))
        #expect(cluster["n2"].role == .leader)
        let takeover = takeovers(cluster.actions("n2", since: mark))
        #expect(takeover.map(\.fenceFirst) == [["n1"]])
        cluster.step("n2", .report(.fenceFailed(node: "n1", reason: "BMC unreachable")))
        cluster.step("n2", .report(.released))
        #expect(cluster["n2"].status.fenceFailure?.node == "n1")
        #expect(cluster["n2"].service == .idle)
        return cluster
    }

    static let n1Heard = [HeardLink(peer: "n1", link: 0, localAddress: "198.18.1.2", ago: .milliseconds(120))]

    @Test("fence confirm on the coordinator unblocks the takeover: no fence of n1, the event carries the uid")
    func confirmUnblocks() {
        var cluster = Self.blockedOnDeadNode()
        let mark = cluster.mark("n2")
        let actions = cluster.step("n2", .override(.confirmFenced(node: "n1"), uid: 1000, heard: []))
        #expect(cluster["n2"].overrideRefusal == nil)
        let recorded = Self.events(actions, .fenceOperatorConfirmed)
        #expect(recorded.count == 1)
        #expect(recorded.first?.uid == 1000)
        #expect(recorded.first?.message.contains("uid 1000 confirmed n1 is down") == true)
        #expect(cluster["n2"].status.fenceFailure == nil)
        #expect(cluster["n2"].status.nodes.first { $0.name == "n1" }?.fenced == true)
        // Within the retry backoff that would otherwise hold it: the takeover goes on, fencing nobody.
        cluster.advance(by: .milliseconds(600))
        let after = Self.takeovers(cluster.actions("n2", since: mark))
        #expect(after.count == 1)
        #expect(after.first?.fenceFirst == [])
        #expect(!cluster["n2"].persistent.admin.mayHold.contains("n1"))
    }

    @Test("fence confirm is refused while the node is heard on a link, and changes nothing")
    func refusedWhileHeardOnALink() {
        var cluster = Self.blockedOnDeadNode()
        let mark = cluster.mark("n2")
        let actions = cluster.step("n2", .override(.confirmFenced(node: "n1"), uid: 0, heard: Self.n1Heard))
        #expect(cluster["n2"].overrideRefusal == .heardAlive(node: "n1", links: Self.n1Heard))
        let text = cluster["n2"].overrideRefusal?.description ?? ""
        #expect(text.contains("n1 is alive: this node heard it on link 0 (198.18.1.2) 120ms ago"))
        #expect(Self.events(actions, .fenceOperatorConfirmed).isEmpty)
        #expect(cluster["n2"].status.fenceFailure?.node == "n1")
        #expect(cluster["n2"].status.nodes.first { $0.name == "n1" }?.fenced == false)
        cluster.advance(by: .milliseconds(300))
        #expect(Self.takeovers(cluster.actions("n2", since: mark)).allSatisfy { $0.fenceFirst == ["n1"] })
        #expect(cluster["n2"].persistent.admin.mayHold.contains("n1"))
    }

    @Test("fence confirm is refused for a node the core heard within failure_timeout")
    func refusedWhileHeardByTheCore() {
        var cluster = ScenarioHarness(nodes: 3, witness: "n3")
        cluster.elect("n1")
        cluster.step("n1", .override(.confirmFenced(node: "n2"), uid: 0, heard: []))
        guard case let .heardRecently(node, _, timeout)? = cluster["n1"].overrideRefusal else {
            Issue.record("expected heardRecently, got \(String(describing: cluster["n1"].overrideRefusal))")
            return
        }
        #expect(node == "n2" && timeout == cluster["n1"].timings.failureTimeout)
        #expect(cluster["n1"].status.nodes.first { $0.name == "n2" }?.fenced == false)
    }

    @Test("fence confirm only on the coordinator, not of itself, not of an unknown node, not during the fence")
    func otherRefusals() {
        var cluster = Self.blockedOnDeadNode()
        cluster.step("n3", .override(.confirmFenced(node: "n1"), uid: 0, heard: []))
        #expect(cluster["n3"].overrideRefusal == .notCoordinator(node: "n3", leader: "n2"))
        #expect(cluster["n3"].overrideRefusal?.description.contains("run this on n2, the coordinator") == true)
        cluster.step("n2", .override(.confirmFenced(node: "n2"), uid: 0, heard: []))
        #expect(cluster["n2"].overrideRefusal == .localNode("n2"))
        cluster.step("n2", .override(.confirmFenced(node: "n9"), uid: 0, heard: []))
        #expect(cluster["n2"].overrideRefusal == .unknownNode("n9", known: ["n1", "n2", "n3"]))
        #expect(cluster["n2"].status.fenceFailure?.node == "n1")

        // The retried takeover is fencing n1 again: its outcome is still to come.
        let mark = cluster.mark("n2")
        cluster.advance(by: .seconds(20))
        #expect(!Self.takeovers(cluster.actions("n2", since: mark)).isEmpty)
        cluster.step("n2", .override(.confirmFenced(node: "n1"), uid: 0, heard: []))
        #expect(cluster["n2"].overrideRefusal == .fenceInProgress(node: "n1"))
    }

    // MARK: - quorum unblock

    /// Three full nodes with wait_for_all, cold-started without `missing`.
    static func coldStart(without missing: [String], waitForAll: Bool = true) -> ScenarioHarness {
        var cluster = ScenarioHarness(nodes: 3, waitForAll: waitForAll)
        for node in missing {
            cluster.isolate(node)
            cluster.paused.insert(node)
        }
        cluster.advance(by: .seconds(6))
        return cluster
    }

    @Test("quorum unblock: a cold-started majority that waits for all starts the service")
    func unblockMajority() {
        var cluster = Self.coldStart(without: ["n3"])
        #expect(!["n1", "n2"].contains { cluster[$0].role == .leader })
        #expect(!["n1", "n2"].contains { cluster[$0].service.mayRun })
        // While waiting, n1 hears n2 on the link (the runtime's node info keepalives), not
        // necessarily through the core, which sees only its announcements.
        let heard = [HeardLink(peer: "n2", link: 0, localAddress: "198.18.1.1", ago: .milliseconds(80))]
        let actions = cluster.step("n1", .override(.unblockQuorum, uid: 4242, heard: heard))
        #expect(cluster["n1"].overrideRefusal == nil)
        let recorded = Self.events(actions, .quorumUnblocked)
        #expect(recorded.first?.uid == 4242)
        #expect(recorded.first?.message.contains("no longer waiting for n3") == true)
        cluster.advance(by: .seconds(3))
        let leaders = ["n1", "n2"].filter { cluster[$0].role == .leader }
        #expect(leaders.count == 1)
        #expect(leaders.allSatisfy { cluster[$0].service.mayRun })
    }

    @Test("quorum unblock is refused without a strict majority, and nothing starts")
    func refusedWithoutMajority() {
        var cluster = Self.coldStart(without: ["n2", "n3"])
        cluster.step("n1", .override(.unblockQuorum, uid: 0, heard: []))
        #expect(cluster["n1"].overrideRefusal == .noStrictMajority(votes: 1, expected: 3, present: ["n1"]))
        #expect(cluster["n1"].overrideRefusal?.description.contains("this partition has 1 of 3 votes (n1)") == true)
        cluster.advance(by: .seconds(3))
        #expect(cluster["n1"].role != .leader)
        #expect(!cluster["n1"].service.mayRun)
    }

    @Test("quorum unblock counts a peer heard on a link only (its node info) as present")
    func linkCountsAsPresent() {
        var cluster = Self.coldStart(without: ["n2", "n3"])
        let heard = [HeardLink(peer: "n2", link: 0, localAddress: "198.18.1.1", ago: .milliseconds(50))]
        cluster.step("n1", .override(.unblockQuorum, uid: 0, heard: heard))
        #expect(cluster["n1"].overrideRefusal == nil)
    }

    @Test("quorum unblock is refused in two_node mode, without wait_for_all, on a witness, and once all were seen")
    func unblockRefusals() {
        var two = ScenarioHarness(nodes: 2, twoNode: true, waitForAll: true)
        two.isolate("n2")
        two.paused.insert("n2")
        two.advance(by: .seconds(3))
        two.step("n1", .override(.unblockQuorum, uid: 0, heard: []))
        #expect(two["n1"].overrideRefusal == .twoNode)
        #expect(two["n1"].role != .leader)

        var off = Self.coldStart(without: ["n3"], waitForAll: false)
        off.step("n1", .override(.unblockQuorum, uid: 0, heard: []))
        #expect(off["n1"].overrideRefusal == .notWaiting(.disabled))

        var witness = ScenarioHarness(nodes: 3, waitForAll: true, witness: "n3")
        witness.isolate("n2")
        witness.paused.insert("n2")
        witness.advance(by: .seconds(3))
        witness.step("n3", .override(.unblockQuorum, uid: 0, heard: []))
        #expect(witness["n3"].overrideRefusal == .witness("n3"))

        var all = ScenarioHarness(nodes: 3, waitForAll: true)
        all.advance(by: .seconds(4))
        let follower = ["n1", "n2", "n3"].first { all[$0].role == .follower }!
        all.step(follower, .override(.unblockQuorum, uid: 0, heard: []))
        #expect(all[follower].overrideRefusal == .notWaiting(.leaderKnown(all[follower].leader!)))
    }
}
