#if Etcd
import ClusterCore
import ClusterHost
import ClusterNode
import ClusterNodeEtcd
import EtcdBackend
import EtcdTestSupport
import Foundation
import Synchronization
import Testing

/// The etcd backend's runtime (`EtcdRuntime`: the coordinator, the lease keeper, the watch and the
/// reads) against a real 3-member etcd cluster, with service steps that only record what they
/// were asked (the takeover sequence itself is tested on its own).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct EtcdRuntimeTests {
    static let ttl = Duration.seconds(3)

    /// What every node's service steps did, in order.
    final class Journal: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ entry: String) { list.withLock { $0.append(entry) } }
        var entries: [String] { list.withLock { $0 } }
    }

    /// Service steps that succeed at once and write what they did in the shared journal.
    final class Effects: RuntimeEffects {
        let node: String
        let journal: Journal
        /// The fence device answers with a failure (a BMC that is down).
        let fenceFails: Bool
        init(_ node: String, journal: Journal, fenceFails: Bool = false) {
            self.node = node
            self.journal = journal
            self.fenceFails = fenceFails
        }

        func takeOver(term: Term, fenceFirst: [String], context: TakeoverContext, report: @escaping @Sendable (ResourceReport) async -> Void) async {
            journal.add("\(node) takeover from \(context.previousHolder ?? "-")")
            await report(.takeoverSucceeded(term: term))
        }

        func fence(node victim: String, delay: Duration) async -> FenceOutcome {
            journal.add("\(node) fence \(victim)\(fenceFails ? " failed" : "")")
            return FenceOutcome(node: victim, succeeded: !fenceFails, detail: fenceFails ? "device unreachable (test double)" : "test double", durationMilliseconds: 0)
        }

        func release(reason: ReleaseReason) async {
            journal.add("\(node) release \(reason)")
        }

        func restartInPlace(term: Term, report: @escaping @Sendable (ResourceReport) async -> Void) async {
            journal.add("\(node) restart")
            await report(.takeoverSucceeded(term: term))
        }

    }

    /// Two nodes that may run the service, n1 first in placement order.
    static func config(_ cluster: EtcdTestCluster, prefix: String) -> ClusterConfig {
        var etcd = cluster.config(prefix: prefix)
        etcd.leaseTTL = ttl
        var settings = ClusterSettings(name: "etcdtest", stateDir: "/unused", failureTimeout: .milliseconds(500))
        settings.backend = .etcd
        return ClusterConfig(
            cluster: settings,
            nodes: [NodeConfig(name: "n1", addresses: ["198.18.0.1"], priority: 100),
                    NodeConfig(name: "n2", addresses: ["198.18.0.2"], priority: 90)],
            service: ServiceConfig(name: "svc", units: ["svc.service"]),
            storage: StorageConfig(path: "/tmp"),
            fencing: FencingConfig(enabled: true),
            etcd: etcd)
    }

    /// Whether `body` became true within `timeout` (`EtcdElectionTests.waitFor`, polled every 10 ms).
    static func waitFor(_ timeout: Duration, _ body: () async -> Bool) async -> Bool {
        await EtcdElectionTests.waitFor(timeout, body) != nil
    }

    @Test("a crashed holder is fenced by its successor before it takes over; the record names the successor")
    func crashedHolderIsFenced() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let config = Self.config(cluster, prefix: "/haclusterd/crash")
        let journal = Journal()
        let (n1, n2) = try await Self.startPair(config, journal: journal)
        let report = await n2.status()
        #expect(report.election.leader == "n1")
        #expect(report.etcd?.endpoints.count == 3)
        #expect(journal.entries == ["n1 takeover from -"])

        // A crash: n1 stops keeping its lease alive and writes nothing more.
        let crashed = ContinuousClock.now
        _ = await n1.stop()
        let n2Runs = await Self.waitFor(.seconds(10)) { await Self.holds(n2) }
        let took = ContinuousClock.now - crashed
        #expect(n2Runs)
        #expect(journal.entries == ["n1 takeover from -", "n2 fence n1", "n2 takeover from n1"],
                "the successor fences the recorded holder, then takes over")
        // Not before the lease expired on the server (TTL after n1's last keep-alive, which was at
        // most one keep-alive interval, TTL/3, before the crash), and soon after it.
        #expect(took >= Self.ttl - EtcdLeaseHold.keepAliveInterval(ttl: Self.ttl) - .milliseconds(100) && took < Self.ttl + .seconds(3), "took \(took)")
        let record = try await Self.holder(config)
        #expect(record?.node == "n2" && record?.state == .running)
        _ = await n2.stop()
    }

    @Test("a fence that fails blocks the takeover; hactl fence confirm on the coordinator lets it go on; refusals name the reason")
    func fenceConfirm() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let config = Self.config(cluster, prefix: "/haclusterd/confirm")
        let journal = Journal()
        let n1 = try EtcdRuntime(config: config, localNode: "n1", effects: Effects("n1", journal: journal), incarnation: Incarnation(1))
        let n2 = try EtcdRuntime(config: config, localNode: "n2", effects: Effects("n2", journal: journal, fenceFails: true), incarnation: Incarnation(2))
        try await n1.start()
        #expect(await Self.waitFor(.seconds(10)) { await Self.holds(n1) })
        try await n2.start()
        #expect(await Self.waitFor(.seconds(5)) { await n2.status().election.leader == "n1" })
        #expect(await n2.override(.confirmFenced(node: "n1"), uid: 0) == .heardRecently(node: "n1", ago: .zero, failureTimeout: Self.ttl),
                "n1 is up (its presence key exists): refused")
        _ = await n1.stop()  // a crash
        #expect(await Self.waitFor(.seconds(8)) { await n2.status().election.fenceFailure?.node == "n1" }, "\(journal.entries)")
        #expect(!(await Self.holds(n2)), "blocked: the fence failed")
        #expect(await n2.override(.confirmFenced(node: "n2"), uid: 0) == .localNode("n2"))
        var confirmed: OverrideRefusal? = .leaving("not tried")
        _ = await Self.waitFor(.seconds(3)) {
            confirmed = await n2.override(.confirmFenced(node: "n1"), uid: 0)
            return confirmed == nil
        }
        #expect(confirmed == nil, "\(String(describing: confirmed))")
        #expect(await Self.waitFor(.seconds(5)) { await Self.holds(n2) }, "\(journal.entries)")
        #expect(journal.entries.last == "n2 takeover from n1")
        _ = await n2.stop()
    }

    @Test("a planned leave releases, records it and resigns: the successor fences nobody")
    func cleanLeaveIsNotFenced() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let config = Self.config(cluster, prefix: "/haclusterd/leave")
        let journal = Journal()
        let (n1, n2) = try await Self.startPair(config, journal: journal)
        let left = ContinuousClock.now
        await n1.leave()
        #expect(await Self.waitFor(.seconds(10)) { await n1.leaveProgress == LeaveProgress.done })
        _ = await n1.stop()
        #expect(await Self.waitFor(.seconds(10)) { journal.entries.contains("n2 takeover from n1") })
        let took = ContinuousClock.now - left
        #expect(journal.entries == ["n1 takeover from -", "n1 release leaving", "n2 takeover from n1"],
                "no fence after a clean release")
        #expect(took < Self.ttl, "a handover does not wait for the lease to expire: \(took)")
        _ = await n2.stop()
    }

    @Test("admin commands through etcd: move hands over without a fence, disable stops, enable starts, standby moves away, maintenance freezes")
    func adminThroughEtcd() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let config = Self.config(cluster, prefix: "/haclusterd/admin")
        let journal = Journal()
        let (n1, n2) = try await Self.startPair(config, journal: journal)

        // move n2, asked on n1's daemon: n1 releases and resigns, n2 takes over without a fence.
        guard case .committed = await n1.submit(.move(node: "n2", lifetime: nil)) else {
            Issue.record("move not committed")
            return
        }
        #expect(await Self.waitFor(.seconds(5)) { await Self.holds(n2) }, "\(journal.entries)")
        #expect(journal.entries == ["n1 takeover from -", "n1 release placement", "n2 takeover from n1"], "no fence on a move")
        #expect(await n1.status().election.admin.preferredNode(at: SystemClock.wallClockSeconds()) == "n2", "both see the constraint")

        // disable (asked on n1, which does not run it): n2 releases; nobody runs it.
        guard case .committed = await n1.submit(.disable) else {
            Issue.record("disable not committed")
            return
        }
        #expect(await Self.waitFor(.seconds(5)) { journal.entries.last == "n2 release disabled" }, "\(journal.entries)")
        try await Task.sleep(for: .seconds(2))
        #expect(journal.entries.last == "n2 release disabled", "nothing starts while disabled: \(journal.entries)")
        #expect(await n1.status().election.placement == .disabled)

        // enable: the preferred node (n2) starts it again; the record says n2 released: no fence.
        guard case .committed = await n2.submit(.enable) else {
            Issue.record("enable not committed")
            return
        }
        #expect(await Self.waitFor(.seconds(5)) { await Self.holds(n2) }, "\(journal.entries)")

        // maintenance on, then standby n2: the service stays where it is.
        guard case .committed = await n2.submit(.maintenance(on: true)), case .committed = await n2.submit(.standby(node: "n2")) else {
            Issue.record("maintenance or standby not committed")
            return
        }
        try await Task.sleep(for: .seconds(2))
        #expect(await Self.holds(n2), "maintenance: nothing moves")
        // maintenance off: n2 may not run it any more: it goes to n1, without a fence.
        guard case .committed = await n1.submit(.maintenance(on: false)) else {
            Issue.record("maintenance off not committed")
            return
        }
        #expect(await Self.waitFor(.seconds(5)) { await Self.holds(n1) }, "\(journal.entries)")
        #expect(!journal.entries.contains { $0.contains("fence") }, "\(journal.entries)")
        // An unknown node is refused, nothing written.
        #expect(await n1.submit(.standby(node: "n9")) == .rejected(.unknownNode("n9")))
        _ = await n1.stop()
        _ = await n2.stop()
    }

    @Test("failures counted in etcd: restarts in place below migration_threshold, then the service moves without a fence")
    func failuresMoveTheService() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        var config = Self.config(cluster, prefix: "/haclusterd/failures")
        config.service.migrationThreshold = 3
        let journal = Journal()
        let (n1, n2) = try await Self.startPair(config, journal: journal)
        for failure in 1...3 {
            await n1.report(.serviceFailed(reason: "unit died (test)"))
            #expect(await Self.waitFor(.seconds(5)) {
                await n2.status().election.admin.failureCount(of: "n1", at: SystemClock.wallClockSeconds(), expiry: .seconds(600)) == failure
            }, "failure \(failure) counted in etcd, seen by n2")
            if failure < 3 {
                #expect(await Self.waitFor(.seconds(5)) { await Self.holds(n1) })
            }
        }
        #expect(await Self.waitFor(.seconds(5)) { await Self.holds(n2) }, "\(journal.entries)")
        #expect(journal.entries == ["n1 takeover from -", "n1 restart", "n1 restart", "n1 release serviceFailed", "n2 takeover from n1"],
                "two restarts in place, then a move without a fence: \(journal.entries)")
        _ = await n1.stop()
        _ = await n2.stop()
    }

    @Test("etcd's quorum lost: the holder releases before its lease can expire, nothing starts until etcd is back")
    func quorumLostReleases() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let config = Self.config(cluster, prefix: "/haclusterd/quorum")
        let journal = Journal()
        let (n1, n2) = try await Self.startPair(config, journal: journal)
        cluster.kill(1)
        cluster.kill(2)
        let lost = ContinuousClock.now
        #expect(await Self.waitFor(.seconds(6)) { journal.entries.contains { $0.hasPrefix("n1 release") } })
        let released = ContinuousClock.now - lost
        #expect(released < Self.ttl, "released \(released) after etcd lost quorum (the hold is shorter than the TTL)")
        try await Task.sleep(for: .seconds(4))
        #expect(!journal.entries.contains { $0.hasPrefix("n2") }, "nothing starts without etcd")
        #expect(await n1.status().election.quorum.quorate == false)
        try cluster.start(1)
        try cluster.start(2)
        #expect(await Self.waitFor(.seconds(20)) {
            journal.entries.filter { $0.contains("takeover") }.count == 2
        }, "the service starts again once etcd is back: \(journal.entries)")
        _ = await n1.stop()
        _ = await n2.stop()
    }

    /// n1 and n2 on `config`: n1 started first and running the service, then n2 following it.
    static func startPair(_ config: ClusterConfig, journal: Journal) async throws -> (EtcdRuntime, EtcdRuntime) {
        let n1 = try EtcdRuntime(config: config, localNode: "n1", effects: Effects("n1", journal: journal), incarnation: Incarnation(1))
        let n2 = try EtcdRuntime(config: config, localNode: "n2", effects: Effects("n2", journal: journal), incarnation: Incarnation(2))
        try await n1.start()
        #expect(await waitFor(.seconds(10)) { await holds(n1) }, "n1 runs the service: \(journal.entries)")
        try await n2.start()
        #expect(await waitFor(.seconds(5)) { await n2.status().election.leader == "n1" })
        return (n1, n2)
    }

    static func holds(_ runtime: EtcdRuntime) async -> Bool {
        if case .holding = await runtime.status().election.service { return true }
        return false
    }

    static func holder(_ config: ClusterConfig) async throws -> EtcdHolderRecord? {
        let client = try EtcdClient(config: config.etcd!)
        let runner = Task { await client.run() }
        defer {
            client.close()
            runner.cancel()
        }
        return try await EtcdElection(client: client, keys: EtcdKeys(prefix: config.etcd!.prefix), node: "test").holder()
    }
}
#endif
