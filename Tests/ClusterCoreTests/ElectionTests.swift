import ClusterCore
import Testing

@Suite("Election core")
struct ElectionTests {
    static let config = ScenarioHarness(nodes: 3, witness: "n3").config

    func node(_ name: String, persisted: PersistentState = .initial) -> ElectionNode {
        ElectionNode(name: name, config: Self.config, persisted: persisted, seed: 9)
    }

    let t0 = Instant(nanoseconds: 5_000_000_000)

    /// The runtime sleeps until `nextDeadline` (at most a tick interval): a deadline in the
    /// past makes it spin at its 1 ms floor.
    @Test("nextDeadline lies ahead for a leader and for followers, at most a heartbeat away for the leader")
    func nextDeadlineAhead() {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        for _ in 0..<20 {
            cluster.advance(by: .milliseconds(70))
            #expect(cluster["n1"].role == .leader)
            let leader = cluster["n1"].nextDeadline
            #expect(leader > cluster.now, "leader deadline \(leader) is not after now \(cluster.now)")
            #expect(leader <= cluster.now + cluster["n1"].timings.heartbeatInterval)
            #expect(cluster["n2"].nextDeadline > cluster.now)
        }
    }

    @Test("a vote is persisted before it is sent, and given once per term")
    func voteOnce() {
        var voter = node("n2")
        _ = voter.step(.tick, now: t0, wallClock: 0)
        let later = t0 + .milliseconds(500)
        let first = voter.step(.received(.voteRequest(term: Term(1), admin: .zero, transfer: false), from: "n1"), now: later, wallClock: 0)
        #expect(first.count == 2)
        #expect(first[0] == .persist(PersistentState(term: Term(1), votedFor: "n1")))
        guard case .send(to: "n1", .voteResponse(term: Term(1), granted: true, _)) = first[1] else {
            Issue.record("expected a granted vote after the persist, got \(first)")
            return
        }
        let second = voter.step(.received(.voteRequest(term: Term(1), admin: .zero, transfer: false), from: "n3"), now: later, wallClock: 0)
        guard case .send(to: "n3", .voteResponse(term: Term(1), granted: false, _)) = second.last else {
            Issue.record("a second vote in term 1 must be refused, got \(second)")
            return
        }
        #expect(second.filter(\.isPersist).isEmpty)
    }

    @Test("a candidate whose admin snapshot is older does not get the vote (up-to-date rule)")
    func upToDate() {
        let stored = PersistentState(term: Term(3), votedFor: nil, admin: AdminState(stamp: AdminStamp(term: Term(3), version: AdminVersion(8))))
        var voter = node("n2", persisted: stored)
        _ = voter.step(.tick, now: t0, wallClock: 0)
        let later = t0 + .milliseconds(500)
        let stale = voter.step(.received(.voteRequest(term: Term(4), admin: AdminStamp(term: Term(2), version: AdminVersion(9)), transfer: false), from: "n1"), now: later, wallClock: 0)
        guard case .send(_, .voteResponse(term: Term(4), granted: false, _)) = stale.last else {
            Issue.record("stale candidate got \(stale)")
            return
        }
        let fresh = voter.step(.received(.voteRequest(term: Term(4), admin: AdminStamp(term: Term(3), version: AdminVersion(8)), transfer: false), from: "n1"), now: later, wallClock: 0)
        guard case .send(_, .voteResponse(term: Term(4), granted: true, _)) = fresh.last else {
            Issue.record("up-to-date candidate got \(fresh)")
            return
        }
    }

    @Test("a witness votes but never campaigns")
    func witnessNeverCampaigns() {
        var witness = node("n3")
        var now = t0
        for _ in 0..<200 {
            now = now + .milliseconds(50)
            let actions = witness.step(.tick, now: now, wallClock: 0)
            #expect(actions.filter(\.isSend).isEmpty)
        }
        #expect(witness.role == .follower)
        #expect(witness.term == .zero)
    }

    @Test("PreVote does not change the term of either side")
    func preVoteKeepsTerms() {
        var candidate = node("n1")
        var voter = node("n2")
        _ = voter.step(.tick, now: t0 + .seconds(5), wallClock: 0)
        _ = candidate.step(.tick, now: t0 + .seconds(3), wallClock: 0)
        let actions = candidate.step(.tick, now: t0 + .seconds(6), wallClock: 0)
        #expect(candidate.role == .preCandidate)
        #expect(candidate.term == .zero)
        #expect(actions.contains(.send(to: "n2", .preVoteRequest(term: Term(1), admin: .zero))))
        let answer = voter.step(.received(.preVoteRequest(term: Term(1), admin: .zero), from: "n1"), now: t0 + .seconds(6), wallClock: 0)
        #expect(answer == [.send(to: "n1", .preVoteResponse(term: Term(1), granted: true))])
        #expect(voter.term == .zero)
    }

    @Test("timings derive from heartbeat_interval and failure_timeout; the lease is drift-safe")
    func timings() {
        let timings = ElectionTimings(heartbeatInterval: .milliseconds(200), failureTimeout: .seconds(1))
        #expect(timings.leaseSafe < timings.failureTimeout)
        #expect(timings.lease > timings.heartbeatInterval * 3)
        #expect(timings.tickInterval == .milliseconds(200))
    }

    @Test("commands without a leader get no quorum; unknown nodes are rejected by the leader")
    func commands() {
        var lonely = node("n1")
        let reply = lonely.step(.command(RequestID(3), .enable), now: t0, wallClock: 0)
        #expect(reply == [.reply(RequestID(3), .noQuorum)])

        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        let rejected = cluster.step("n1", .command(RequestID(4), .ban(node: "nx", lifetime: nil)))
        #expect(rejected.contains(.reply(RequestID(4), .rejected(.unknownNode("nx")))))
        let witness = ScenarioHarness(nodes: 3, witness: "n3")
        var withWitness = witness
        withWitness.elect("n1")
        let move = withWitness.step("n1", .command(RequestID(5), .move(node: "n3", lifetime: nil)))
        #expect(move.contains(.reply(RequestID(5), .rejected(.witnessNode("n3")))))
    }
}
