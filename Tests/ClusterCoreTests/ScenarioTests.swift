import ClusterCore
import Testing

/// Scripted scenarios for the tricky cases; each asserts exactly what the nodes did.
@Suite("Scenarios")
struct ScenarioTests {
    @Test("a rejoining partitioned node does not depose a healthy leader")
    func rejoiningNodeDoesNotDepose() {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        let term = cluster["n1"].term
        #expect(cluster["n1"].role == .leader)
        #expect(cluster["n1"].service == .holding(term: term))

        // n3 is cut off for 5s: it keeps asking for pre-votes, never bumps its term.
        cluster.isolate("n3")
        cluster.advance(by: .seconds(5))
        #expect(cluster["n3"].term == term)
        #expect(cluster["n3"].role == .preCandidate)

        // Back: its pre-vote is refused by a follower that hears the leader ...
        cluster.heal()
        let admin = cluster["n3"].persistent.admin.stamp
        let answer = cluster.step("n2", .received(.preVoteRequest(term: term.next, admin: admin), from: "n3"))
        #expect(answer == [.send(to: "n3", .preVoteResponse(term: term, granted: false))])
        // ... and by the leader itself.
        let leaderAnswer = cluster.step("n1", .received(.preVoteRequest(term: term.next, admin: admin), from: "n3"))
        #expect(leaderAnswer.filter(\.isSend).first == .send(to: "n3", .preVoteResponse(term: term, granted: false)))

        // A real vote request of a higher term does not move a follower that hears the leader either.
        let vote = cluster.step("n2", .received(.voteRequest(term: term.next, admin: admin, transfer: false), from: "n3"))
        #expect(vote.filter(\.isPersist).isEmpty)
        #expect(cluster["n2"].term == term)

        let leaderMark = cluster.mark("n1")
        cluster.advance(by: .seconds(3))
        #expect(cluster["n1"].role == .leader)
        #expect(cluster["n1"].term == term)
        #expect(cluster["n3"].role == .follower)
        #expect(cluster["n3"].leader == "n1")
        #expect(!cluster.actions("n1", since: leaderMark).contains { if case .release = $0 { return true } else { return false } })
    }

    @Test("2-node split: both sides fence, the holder at once, the other after the delay; one survives")
    func twoNodeSplit() {
        // wait_for_all: neither node acts before it has seen the other once.
        var cluster = ScenarioHarness(nodes: 2, twoNode: true, waitForAll: true)
        cluster.advance(by: .seconds(4))
        guard let a = ["n1", "n2"].first(where: { cluster[$0].role == .leader }) else {
            Issue.record("no leader after 4s")
            return
        }
        let b = a == "n1" ? "n2" : "n1"
        let term = cluster[a].term
        #expect(cluster[a].service == .holding(term: term))
        #expect(cluster.fenced.isEmpty)
        #expect(cluster.actions(a, since: 0).filter { if case .fence = $0 { return true } else { return false } }.isEmpty)

        cluster.isolate(a)
        let markA = cluster.mark(a)
        let markB = cluster.mark(b)
        cluster.advance(by: .seconds(3))

        // b wins alone, in a term of its own parity (never the same term as a) ...
        #expect(cluster[b].role == .leader)
        #expect(cluster[b].term.rawValue % 2 != term.rawValue % 2)
        // ... and fences its peer before committing or starting anything, after the race
        // delay: it does not hold the service. The delay is in the action the shell executes.
        let raceDelay = cluster.config.fencing.raceDelay
        #expect(raceDelay > .zero)
        let bActions = cluster.actions(b, since: markB)
        #expect(fences(in: bActions) == [.fence(node: a, delay: raceDelay)])
        #expect(!bActions.contains { if case .takeover = $0 { return true } else { return false } })
        // a still holds with its one vote and fences b at once.
        #expect(fences(in: cluster.actions(a, since: markA)) == [.fence(node: b, delay: .zero)])
        #expect(cluster[a].service == .holding(term: term))

        // a's fence lands first (no delay): b goes down; a keeps the service.
        cluster.nodes[b] = nil
        cluster.step(a, .report(.fenced(node: b)))
        #expect(cluster[a].status.nodes.first { $0.name == b }?.fenced == true)
        cluster.advance(by: .seconds(2))
        #expect(cluster[a].service == .holding(term: term))
        // With its peer fenced, a alone commits admin changes.
        let reply = cluster.step(a, .command(RequestID(1), .maintenance(on: false)))
        #expect(reply.contains { if case .reply(RequestID(1), .committed) = $0 { return true } else { return false } })
    }

    @Test("a paused leader resumes after its lease and must not act")
    func pausedLeader() {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        let term = cluster["n1"].term
        #expect(cluster["n1"].service == .holding(term: term))

        cluster.paused.insert("n1")
        cluster.advance(by: .seconds(4))
        // The others elected a new leader, which fenced n1 (not a live member) before starting.
        let newLeader = ["n2", "n3"].first { cluster[$0].role == .leader }!
        #expect(cluster[newLeader].term > term)
        #expect(cluster.fenced == ["n1"])
        #expect(cluster[newLeader].service == .holding(term: cluster[newLeader].term))

        // n1 resumes (say the fence was a no-op): its first step only lets the service go.
        cluster.paused.remove("n1")
        cluster.autoResources = false
        let actions = cluster.step("n1", .tick).filter { if case .event = $0 { return false } else { return true } }
        #expect(actions == [.release(.lostQuorum)])
        #expect(cluster["n1"].role == .follower)
        #expect(cluster["n1"].service == .releasing(.lostQuorum))
    }

    @Test("a ban with a lifetime moves the service away, then expires")
    func banExpiry() {
        var cluster = ScenarioHarness(nodes: 3, priorities: ["n2": 150])
        cluster.elect("n1")
        cluster.autoResources = false
        let term = cluster["n1"].term
        let mark = cluster.mark("n1")

        cluster.step("n2", .command(RequestID(7), .ban(node: "n1", lifetime: .seconds(60))))
        cluster.deliverAll()
        // Committed, then released: the leader may no longer run it.
        #expect(cluster.actions("n1", since: mark).contains(.release(.placement)))
        #expect(cluster.actions("n2", since: 0).contains { if case .reply(RequestID(7), .committed) = $0 { return true } else { return false } })

        // Released: leadership goes to the best eligible node (n2, priority 150), which starts it.
        cluster.autoResources = true
        let releaseMark = cluster.mark("n1")
        cluster.step("n1", .report(.released))
        cluster.deliverAll()
        #expect(cluster.actions("n1", since: releaseMark).contains(.send(to: "n2", .timeoutNow(term: term))))
        cluster.advance(by: .milliseconds(100))
        #expect(cluster["n2"].role == .leader)
        #expect(cluster["n2"].service == .holding(term: term.next))
        #expect(cluster["n2"].status.nodes.first { $0.name == "n1" }?.liveness == .standby)

        // One minute later the ban has expired: n1 may run it again (the service stays where it is).
        cluster.wallClock += 61
        cluster.advance(by: .milliseconds(300))
        #expect(cluster["n2"].status.nodes.first { $0.name == "n1" }?.liveness == .online)
        #expect(Placement.ineligibility(of: "n1", config: cluster.config, admin: cluster["n2"].persistent.admin, wallClock: cluster.wallClock) == nil)
        #expect(cluster["n2"].service == .holding(term: term.next))
    }

    @Test("move to a preferred node: release, hand over, the target starts without waiting for a lease")
    func transferToPreferredNode() {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        let term = cluster["n1"].term
        cluster.autoResources = false
        let mark = cluster.mark("n1")

        cluster.step("n1", .command(RequestID(1), .move(node: "n3", lifetime: nil)))
        cluster.deliverAll()
        #expect(cluster.actions("n1", since: mark).contains(.release(.placement)))
        #expect(cluster.actions("n1", since: mark).contains { if case .reply(RequestID(1), .committed) = $0 { return true } else { return false } })

        let released = cluster.mark("n1")
        cluster.step("n1", .report(.released))
        cluster.deliverAll()
        #expect(cluster.actions("n1", since: released).contains(.send(to: "n3", .timeoutNow(term: term))))

        // n3 campaigns at once (transfer), wins, and takes over in the same instant: nobody to fence.
        #expect(cluster["n3"].role == .leader)
        #expect(cluster["n3"].term == term.next)
        #expect(cluster.actions("n3", since: 0).contains(.takeover(term: term.next, fenceFirst: [])))
        #expect(cluster["n1"].role == .follower)
        #expect(cluster["n1"].leader == "n3")
        // Where it came from, although n1 announced no holder once it had released.
        #expect(cluster["n3"].previousHolder == "n1")
    }

    /// Both nodes of a two_node cluster started together announce themselves (wait_for_all) in
    /// the same instant, so each first hears the other just as it sets its next election timeout.
    /// Waiting out that timeout made the contact older than failure_timeout: each node counted
    /// its peer offline, won alone and fenced it. Now hearing the last missing peer ends the wait
    /// and the node looks for a leader within the election jitter, with its peer still online.
    @Test("two_node cold start: nodes that announce themselves in the same instant elect one leader and fence nobody")
    func twoNodeSimultaneousAnnouncements() {
        var cluster = ScenarioHarness(nodes: 2, twoNode: true, waitForAll: true)
        cluster.isolate("n1")
        var announced: Set<String> = []
        // Each node's first announcement is lost; in the instant it is made, the node hears its peer's.
        while announced.count < 2, cluster.now < Instant(nanoseconds: 10_000_000_000) {
            cluster.now = cluster.now + .milliseconds(1)
            for (name, peer) in [("n1", "n2"), ("n2", "n1")] where !announced.contains(name) {
                let sent = cluster.step(name, .tick).contains { if case .send(_, .preVoteRequest) = $0 { true } else { false } }
                if sent {
                    announced.insert(name)
                    cluster.step(name, .received(.preVoteRequest(term: Term(1), admin: .zero), from: peer))
                }
            }
        }
        #expect(announced == ["n1", "n2"])
        cluster.heal()
        cluster.advance(by: .seconds(4))
        let leaders = ["n1", "n2"].filter { cluster[$0].role == .leader }
        #expect(leaders.count == 1)
        #expect(fences(in: cluster.actions("n1", since: 0)).isEmpty)
        #expect(fences(in: cluster.actions("n2", since: 0)).isEmpty)
        #expect(cluster.fenced.isEmpty)
        if let leader = leaders.first { #expect(cluster[leader].service == .holding(term: cluster[leader].term)) }
    }

    @Test("2-node split with nobody holding the service: the node placement prefers fences at once, the other waits")
    func twoNodeSplitWithoutHolder() {
        var cluster = ScenarioHarness(nodes: 2, twoNode: true, waitForAll: true, priorities: ["n2": 150])
        cluster.advance(by: .seconds(4))
        guard let a = ["n1", "n2"].first(where: { cluster[$0].role == .leader }) else {
            Issue.record("no leader after 4s")
            return
        }
        let b = a == "n1" ? "n2" : "n1"
        // Disabled: released everywhere, the leader announces no holder.
        cluster.step(a, .command(RequestID(1), .disable))
        cluster.deliverAll()
        cluster.advance(by: .milliseconds(500))
        #expect(cluster[a].service == .idle)
        #expect(cluster[a].holder == nil && cluster[b].holder == nil)

        cluster.isolate(a)
        let marks = ["n1": cluster.mark("n1"), "n2": cluster.mark("n2")]
        cluster.advance(by: .seconds(3))
        // n2 has the higher priority: it fences at once, n1 after the race delay.
        #expect(fences(in: cluster.actions("n2", since: marks["n2"]!)) == [.fence(node: "n1", delay: .zero)])
        #expect(fences(in: cluster.actions("n1", since: marks["n1"]!)) == [.fence(node: "n2", delay: cluster.config.fencing.raceDelay)])
    }

    @Test("outside two_node nothing races: a takeover's fences and the rule give no delay")
    func noRaceDelayWithAMajority() {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        #expect(cluster["n1"].fenceDelay(for: "n2") == .zero)
        #expect(cluster["n2"].fenceDelay(for: "n1") == .zero)
    }

    @Test("a failed fence blocks the service until that node is fenced; a fenced node reads fenced until heard")
    func fenceFailureAndFencedInStatus() {
        var cluster = ScenarioHarness(nodes: 2, twoNode: true, waitForAll: true)
        cluster.advance(by: .seconds(4))
        guard let a = ["n1", "n2"].first(where: { cluster[$0].role == .leader }) else {
            Issue.record("no leader after 4s")
            return
        }
        let b = a == "n1" ? "n2" : "n1"
        cluster.isolate(a)
        cluster.advance(by: .seconds(3))
        #expect(cluster[b].role == .leader)
        #expect(cluster[b].previousHolder == a)

        // The shell logs each fence's outcome (fence.succeeded / fence.failed) once; the core adds none.
        func fenceOutcomeEvents(_ actions: [Action]) -> [String] {
            actions.compactMap { if case .event(let event) = $0, event.kind == .fenceSucceeded || event.kind == .fenceFailed { event.kind.rawValue } else { nil } }
        }
        let failed = cluster.step(b, .report(.fenceFailed(node: a, reason: "every level failed to fence \(a): ipmi timed out")))
        #expect(fenceOutcomeEvents(failed).isEmpty)
        #expect(cluster[b].status.fenceFailure == .init(node: a, reason: "every level failed to fence \(a): ipmi timed out"))
        #expect(cluster[b].status.placement == .fenceFailed(a))
        // The retry fences again after the backoff; the service stays blocked meanwhile.
        cluster.advance(by: .seconds(3))
        #expect(cluster[b].status.fenceFailure?.node == a)
        #expect(fenceOutcomeEvents(cluster.step(b, .report(.fenced(node: a)))).isEmpty)
        #expect(cluster[b].status.fenceFailure == nil)
        #expect(cluster[b].status.nodes.first { $0.name == a }?.fenced == true)

        // a reboots and is heard again: no longer fenced.
        cluster.heal()
        cluster.restart(a)
        cluster.advance(by: .seconds(2))
        #expect(cluster[b].status.nodes.first { $0.name == a }?.fenced == false)
    }

    func fences(in actions: [Action]) -> [Action] {
        actions.filter { if case .fence = $0 { return true } else { return false } }
    }
}
