import Testing
@testable import ClusterCore

/// The storage tie-breaker in the core: two nodes, a shared disk with one heartbeat slot
/// each (`ScenarioHarness.diskCycles`), and the faults the issue lists: a network split, a
/// crash, a node cut from the storage only, from both.
struct StorageTieBreakerTests {
    /// n1 elected and running the service on a healthy network and disk (n1 has the higher
    /// priority; the disk heartbeats run all along, as the daemon's do).
    static func running(mutations: ElectionMutations = []) -> ScenarioHarness {
        var cluster = ScenarioHarness(nodes: 2, twoNode: true, priorities: ["n1": 200], tieBreaker: .storage, mutations: mutations)
        cluster.advance(by: .seconds(6))
        #expect(cluster["n1"].role == .leader && cluster["n1"].service.mayRun, "n1 runs the service: \(cluster["n1"].status)")
        return cluster
    }

    /// Advances, confirming every fence `node` asks for (the victim is off).
    static func advanceFencing(_ cluster: inout ScenarioHarness, _ node: String, by duration: Duration) {
        let end = cluster.now + duration
        var confirmed = cluster.mark(node)
        while cluster.now < end {
            cluster.advance(by: .milliseconds(50))
            for victim in fences(cluster, node, since: confirmed).map(\.0) {
                cluster.fenced.append(victim)
                cluster.step(node, .report(.fenced(node: victim)))
            }
            confirmed = cluster.mark(node)
        }
    }

    static func fences(_ cluster: ScenarioHarness, _ node: String, since mark: Int) -> [(String, Duration)] {
        cluster.actions(node, since: mark).compactMap { if case let .fence(victim, delay) = $0 { (victim, delay) } else { nil } }
    }

    static func releases(_ cluster: ScenarioHarness, _ node: String, since mark: Int) -> [ReleaseReason] {
        cluster.actions(node, since: mark).compactMap { if case let .release(reason) = $0 { reason } else { nil } }
    }

    static func takeovers(_ cluster: ScenarioHarness, _ node: String, since mark: Int) -> Int {
        cluster.actions(node, since: mark).filter { if case .takeover = $0 { true } else { false } }.count
    }

    @Test("a network split with both nodes on the storage: no fence, no move, no second leader; nothing moves when it heals")
    func networkSplit() throws {
        var cluster = Self.running()
        #expect(cluster["n1"].service.mayRun)
        let (m1, m2) = (cluster.mark("n1"), cluster.mark("n2"))
        cluster.isolate("n1")
        cluster.advance(by: .seconds(10))
        #expect(Self.fences(cluster, "n1", since: m1).isEmpty && Self.fences(cluster, "n2", since: m2).isEmpty)
        #expect(cluster["n1"].service.mayRun, "the holder keeps the service")
        #expect(Self.releases(cluster, "n1", since: m1).isEmpty)
        #expect(Self.takeovers(cluster, "n2", since: m2) == 0)
        #expect(cluster["n2"].role != .leader, "no campaign against a leader alive on storage")
        #expect(cluster["n1"].status.placement == .onLeader)
        let events = cluster.history["n2", default: []].dropFirst(m2).flatMap { $0 }.compactMap { if case let .event(e) = $0 { e } else { nil } }
        #expect(events.contains { $0.kind == .arbiterPeerAlive && $0.message.contains("alive on storage only") })
        cluster.heal()
        cluster.advance(by: .seconds(3))
        #expect(cluster["n1"].service.mayRun && cluster["n1"].role == .leader)
        #expect(Self.releases(cluster, "n1", since: m1).isEmpty, "healing moves nothing")
    }

    @Test("the holder crashes: the survivor fences at once (no race delay) once it is silent on storage, then takes over")
    func crash() throws {
        var cluster = Self.running()
        let m2 = cluster.mark("n2")
        let crashed = cluster.now
        cluster.paused.insert("n1")   // no datagrams, no disk heartbeat
        Self.advanceFencing(&cluster, "n2", by: .seconds(4))
        let fences = Self.fences(cluster, "n2", since: m2)
        #expect(fences.count == 1 && fences.first?.0 == "n1" && fences.first?.1 == .zero, "\(fences)")
        #expect(cluster["n2"].service.mayRun, "n2 took over")
        #expect(cluster.fenced == ["n1"])
        _ = crashed
    }

    @Test("the step that finds the crashed leader lost and silent on storage campaigns and fences at once (no jitter, no second look)")
    func campaignsOnTheSilentVerdict() throws {
        var cluster = Self.running()
        let m2 = cluster.mark("n2")
        cluster.paused.insert("n1")
        Self.advanceFencing(&cluster, "n2", by: .seconds(3))
        let steps = Array((cluster.history["n2"] ?? []).dropFirst(m2))
        let silent = try #require(steps.firstIndex { actions in
            actions.contains { if case let .event(e) = $0 { e.kind == .arbiterPeerSilent } else { false } }
        }, "n2 never judged n1 silent")
        // Before: the survivor waited for its jittered election timeout (up to 2 heartbeat
        // intervals more) or, when that had fired while n1 was still alive on storage, for its
        // next look a heartbeat interval later; now the same step campaigns, wins and fences.
        #expect(steps[silent].contains { if case let .fence(victim, delay) = $0 { victim == "n1" && delay == .zero } else { false } },
                "\(steps[silent])")
        #expect(steps[..<silent].allSatisfy { actions in !actions.contains { if case .fence = $0 { true } else { false } } },
                "no fence before the silent verdict")
        #expect(cluster["n2"].service.mayRun, "n2 took over")
    }

    @Test("fenced no sooner than storage_timeout after the last disk heartbeat")
    func notBeforeStorageTimeout() {
        var cluster = Self.running()
        cluster.paused.insert("n1")
        let m2 = cluster.mark("n2")
        cluster.advance(by: cluster.config.storageTimeout - .milliseconds(250))
        #expect(Self.fences(cluster, "n2", since: m2).isEmpty, "\(Self.fences(cluster, "n2", since: m2))")
        cluster.advance(by: .seconds(2))
        #expect(Self.fences(cluster, "n2", since: m2).count == 1)
    }

    @Test("the holder cut from the storage only: it releases (storage-lost) within storage_timeout, the peer takes over")
    func holderCutFromStorage() {
        var cluster = Self.running()
        let (m1, m2) = (cluster.mark("n1"), cluster.mark("n2"))
        cluster.storageFailing.insert("n1")
        cluster.advance(by: cluster.config.storageTimeout + .milliseconds(300))
        #expect(Self.releases(cluster, "n1", since: m1) == [.storageLost])
        cluster.advance(by: .seconds(3))
        #expect(!cluster["n1"].service.mayRun)
        #expect(cluster["n2"].service.mayRun, "the peer took over")
        #expect(Self.takeovers(cluster, "n1", since: m1) == 0, "n1 never takes it back while cut off")
    }

    @Test("the holder cut from both: it releases by itself; the peer fences it and takes over")
    func holderCutFromBoth() {
        var cluster = Self.running()
        let (m1, m2) = (cluster.mark("n1"), cluster.mark("n2"))
        cluster.storageHung.insert("n1")
        cluster.isolate("n1")
        Self.advanceFencing(&cluster, "n2", by: .seconds(4))
        #expect(Self.releases(cluster, "n1", since: m1).contains(.storageLost))
        #expect(Self.fences(cluster, "n1", since: m1).isEmpty, "a node cut from the storage never fences")
        #expect(Self.fences(cluster, "n2", since: m2).map(\.0) == ["n1"])
        #expect(cluster["n2"].service.mayRun)
    }

    @Test("the NAS goes away for both nodes: the holder releases; once it is back the standby takes over, nobody fenced")
    func storageLostForBoth() {
        var cluster = Self.running()
        let (m1, m2) = (cluster.mark("n1"), cluster.mark("n2"))
        cluster.storageFailing.formUnion(["n1", "n2"])
        cluster.advance(by: cluster.config.storageTimeout + .milliseconds(300))
        #expect(Self.releases(cluster, "n1", since: m1) == [.storageLost])
        cluster.advance(by: .seconds(3))
        #expect(!cluster["n1"].service.mayRun && !cluster["n2"].service.mayRun, "nobody runs it without the storage")
        cluster.storageFailing.removeAll()
        cluster.advance(by: .seconds(6))
        // The holder that lost its storage counts a failure; the standby, which held nothing, does not.
        #expect(cluster["n2"].service.mayRun, "the standby took over once the storage was back: \(cluster["n2"].status)")
        #expect(!cluster["n1"].service.mayRun)
        #expect(Self.fences(cluster, "n1", since: m1).isEmpty && Self.fences(cluster, "n2", since: m2).isEmpty)
    }

    @Test("a slow disk (a heartbeat every 600 ms) during a split is no death; with the storage-timeout mutation it is")
    func slowDiskIsNoDeath() {
        for broken in [false, true] {
            var cluster = Self.running(mutations: broken ? .shortStorageTimeout : [])
            cluster.diskInterval["n1"] = .milliseconds(600)
            cluster.advance(by: .seconds(2))
            let m2 = cluster.mark("n2")
            cluster.isolate("n1")
            cluster.advance(by: .seconds(6))
            #expect(Self.fences(cluster, "n2", since: m2).isEmpty == !broken, "mutation \(broken): \(Self.fences(cluster, "n2", since: m2))")
        }
    }

    @Test("without the tie-breaker the same split ends in a fence (what the tie-breaker saves)")
    func withoutTieBreakerTheSplitFences() {
        var cluster = ScenarioHarness(nodes: 2, twoNode: true)
        cluster.advance(by: .milliseconds(500))
        cluster.elect("n1")
        cluster.advance(by: .seconds(2))
        let m2 = cluster.mark("n2")
        cluster.isolate("n1")
        cluster.advance(by: .seconds(8))
        #expect(!Self.fences(cluster, "n2", since: m2).isEmpty)
    }
}
