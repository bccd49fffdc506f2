#if Etcd
import ClusterCore
import ClusterHost
import EtcdBackend
import EtcdTestSupport
import Foundation
import Synchronization
import Testing

/// The election recipe and the lease rule against a real 3-member etcd cluster.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct EtcdElectionTests {
    /// etcd's test members elect a leader within about a second (500 ms election timeout):
    /// a 3 s TTL (a 2.5 s hold) outlasts that with a keep-alive to spare.
    static let ttl = Duration.seconds(3)
    static let keys = EtcdKeys(prefix: "/haclusterd/test")
    /// A node's side: its client, and its lease kept alive by the product's `EtcdLeaseKeeper`.
    final class Contender: Sendable {
        let client: EtcdClient
        let election: EtcdElection
        let keeper: EtcdLeaseKeeper
        private let runner: Task<Void, Never>

        init(_ node: String, cluster: EtcdTestCluster) throws {
            client = try EtcdClient(config: cluster.config(prefix: keys.prefix), requestTimeout: .milliseconds(500))
            election = EtcdElection(client: client, keys: keys, node: node)
            keeper = EtcdLeaseKeeper(client: client, ttl: EtcdElectionTests.ttl)
            let client = self.client
            runner = Task { await client.run() }
        }

        deinit {
            let keeper = self.keeper, client = self.client, runner = self.runner
            Task {
                await keeper.stop(revoke: false)
                client.close()
                runner.cancel()
            }
        }

        /// A new lease, kept alive from now on.
        func grant() async throws { try await keeper.start() }

        func campaign() async throws -> EtcdElection.Outcome {
            let lease = try #require(await keeper.lease, "campaign without a lease")
            return try await election.campaign(lease: lease.id)
        }

        var holds: Bool { get async { await keeper.holds } }
        var deadline: Instant? { get async { await keeper.deadline } }
    }

    /// Polls `body` every 10 ms until it is true or `timeout` passed; the time it became true.
    static func waitFor(_ timeout: Duration, _ body: () async -> Bool) async -> Instant? {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if await body() { return SystemClock.monotonicNow() }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    @Test("two nodes campaign at once, 20 times: exactly one wins each time, and resigning hands the key over at once")
    func oneWinner() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let a = try Contender("n1", cluster: cluster), b = try Contender("n2", cluster: cluster)
        try await a.grant()
        try await b.grant()
        var lastTerm: Int64 = 0
        for _ in 0..<20 {
            async let first = a.campaign()
            async let second = b.campaign()
            let outcomes = try await [first, second]
            let won = outcomes.compactMap { if case .won(let term) = $0 { term } else { nil } }
            #expect(won.count == 1, "\(outcomes)")
            guard let term = won.first else { continue }
            #expect(term > lastTerm, "terms only grow")
            lastTerm = term
            for outcome in outcomes {
                if case .held(_, let heldTerm, _) = outcome { #expect(heldTerm == term) }
            }
            let winner = outcomes[0] == .won(term: term) ? a : b
            #expect(try await winner.election.resign(term: term))
            #expect(try await winner.election.leader() == nil)
        }
        #expect(lastTerm > 0)
    }

    @Test("a holder cut off from etcd stops holding before the server expires its lease")
    func deadlineBeforeExpiry() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let holder = try Contender("n1", cluster: cluster), watcher = try Contender("n2", cluster: cluster)
        try await holder.grant()
        guard case .won(let term) = try await holder.campaign() else { Issue.record("n1 did not win an empty election"); return }
        try await Task.sleep(for: .seconds(3))
        #expect(await holder.holds)
        #expect(try await watcher.election.leader()?.term == term, "kept alive: still n1's term")

        // Cut off from here: no keep-alive reaches etcd again, and the deadline is the one it had.
        let deadline = try #require(await holder.deadline)
        await holder.keeper.stop(revoke: false)
        let stopped = SystemClock.monotonicNow()
        let gone = await Self.waitFor(.seconds(10)) { (try? await watcher.election.leader()) == nil }
        let expired = try #require(gone, "the leader key was never deleted")
        #expect(deadline < expired, "the holder's deadline \(deadline) is after the key was gone at \(expired)")
        print("etcd lease: keep-alives stopped at \(stopped); holder's deadline \(deadline); key gone at \(expired); margin \(expired.since(deadline))")
        try await watcher.grant()
        guard case .won(let next) = try await watcher.campaign() else { Issue.record("n2 did not win after n1's lease expired"); return }
        #expect(next > term)
    }

    @Test("the holder record is written only by the coordinator of its term: a deposed one can't overwrite its successor's")
    func holderRecordFencingToken() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let first = try Contender("n1", cluster: cluster), second = try Contender("n2", cluster: cluster)
        #expect(try await first.election.holder() == nil, "no record before any takeover")
        try await first.grant()
        guard case .won(let term1) = try await first.campaign() else { Issue.record("n1 did not win an empty election"); return }
        #expect(try await first.election.recordHolder(EtcdHolderRecord(node: "n1", state: .running, term: term1)))
        #expect(try await first.election.holder() == EtcdHolderRecord(node: "n1", state: .running, term: term1))

        // n1 is cut off: its lease runs out, n2 takes over and records itself.
        await first.keeper.stop(revoke: false)
        try await second.grant()
        let won = await Self.waitFor(Self.ttl * 3) {
            if case .won? = try? await second.campaign() { return true }
            return false
        }
        try #require(won != nil, "n2 never won after n1's lease expired")
        guard case .won(let term2) = try await second.campaign() else { Issue.record("n2 lost its own key"); return }
        #expect(term2 > term1)
        let record = try #require(try await second.election.holder())
        #expect(EtcdHolderRecord.nodeToFence(record: record, coordinator: "n2") == "n1", "n1 did not release: fence it first")
        #expect(try await second.election.recordHolder(EtcdHolderRecord(node: "n2", state: .starting, term: term2)))

        // The deposed n1 writes with its old term: refused, and nothing changed.
        #expect(try await !first.election.recordHolder(EtcdHolderRecord(node: "n1", state: .released, term: term1)))
        #expect(try await first.election.holder() == EtcdHolderRecord(node: "n2", state: .starting, term: term2))

        // A value haclusterd did not write is an error naming the key.
        _ = try await second.client.txn([], success: [.put(Self.keys.holder, Array("hello".utf8))])
        let bad = await #expect(throws: EtcdError.self) { _ = try await second.election.holder() }
        #expect(bad?.description.contains("\(Self.keys.holder)") == true && bad?.description.contains("expected 3 lines") == true, "\(String(describing: bad))")
    }

    @Test("a watch on the leader key sees the campaign, the resignation and a lease expiry, in order, within milliseconds")
    func watchLeaderKey() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let watcher = try Contender("n2", cluster: cluster), holder = try Contender("n1", cluster: cluster)
        let seen = Mutex<[(EtcdClient.WatchEvent, Instant)]>([])
        let watch = Task {
            try await watcher.client.watch(Self.keys.leader) { event in
                seen.withLock { $0.append((event, SystemClock.monotonicNow())) }
            }
        }
        defer { watch.cancel() }
        try await Task.sleep(for: .milliseconds(300))  // the watch is created

        try await holder.grant()
        guard case .won(let term) = try await holder.campaign() else { Issue.record("n1 did not win an empty election"); return }
        let resigned = SystemClock.monotonicNow()
        #expect(try await holder.election.resign(term: term))
        guard case .won(let next) = try await holder.campaign() else { Issue.record("n1 did not win again"); return }
        await holder.keeper.stop(revoke: false)  // the lease now runs out on its own
        let events = await Self.waitFor(Self.ttl * 3) { seen.withLock { $0.count } >= 4 }
        try #require(events != nil, "saw \(seen.withLock { $0.map(\.0) })")
        let log = seen.withLock { $0 }
        guard case .put(let first) = log[0].0, case .delete = log[1].0, case .put(let second) = log[2].0, case .delete = log[3].0 else {
            Issue.record("expected put, delete, put, delete: \(log.map(\.0))"); return
        }
        #expect(first.createRevision == term && second.createRevision == next)
        #expect(String(decoding: first.value, as: UTF8.self) == "n1")
        let latency = log[1].1.since(resigned)
        #expect(latency < .milliseconds(500), "the resignation was seen \(latency) later")
        print("etcd watch: resignation seen \(latency) after the request was sent")
        watch.cancel()
        #expect(await watch.result.isSuccess, "a cancelled watch returns")
    }

    @Test("killing etcd's leader member: the holder keeps its lease and its term")
    func etcdLeaderKilled() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let holder = try Contender("n1", cluster: cluster)
        try await holder.grant()
        guard case .won(let term) = try await holder.campaign() else { Issue.record("n1 did not win an empty election"); return }
        try await Task.sleep(for: .seconds(1))
        let leader = try await cluster.leaderIndex(client: holder.client)
        cluster.kill(leader)
        // Watch the rule over 3 TTLs: it must never lapse.
        var lapsed = false
        let end = ContinuousClock.now + Self.ttl * 3
        while ContinuousClock.now < end {
            if !(await holder.holds) { lapsed = true }
            try await Task.sleep(for: .milliseconds(20))
        }
        let failed = await holder.keeper.failedKeepAlives
        let lostReason = await holder.keeper.lost
        #expect(!lapsed, "the hold lapsed; lost: \(String(describing: lostReason)), \(failed) failed keep-alives")
        print("etcd leader member killed: \(failed) keep-alives failed, the hold never lapsed")
        #expect(try await holder.election.leader()?.term == term)
        #expect(try await cluster.leaderIndex(client: holder.client) != leader)
    }

    @Test("losing etcd's quorum: the holder stops holding within its hold, and nobody else wins until etcd is back")
    func quorumLost() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let holder = try Contender("n1", cluster: cluster), other = try Contender("n2", cluster: cluster)
        try await holder.grant()
        try await other.grant()
        guard case .won(let term) = try await holder.campaign() else { Issue.record("n1 did not win an empty election"); return }
        try await Task.sleep(for: .seconds(1))
        let lost = SystemClock.monotonicNow()
        cluster.kill(1)
        cluster.kill(2)
        let released = await Self.waitFor(Self.ttl * 2) { !(await holder.holds) }
        let at = try #require(released, "n1 still holds \(Self.ttl * 2) after etcd lost quorum")
        #expect(at.since(lost) <= EtcdLeaseHold().hold(ttl: Self.ttl) + .milliseconds(100))
        let gaveUp = await Self.waitFor(.seconds(2)) { await holder.keeper.lost != nil }
        #expect(gaveUp != nil, "the keeper still tries after its hold ran out")
        let reason = await holder.keeper.lost
        print("etcd quorum lost: n1 stopped holding \(at.since(lost)) after, keeper: \(String(describing: reason))")
        // Without quorum, a campaign can't succeed.
        await #expect(throws: EtcdError.self) { try await other.campaign() }

        try cluster.start(1)
        try cluster.start(2)
        try cluster.waitHealthy(timeout: .seconds(20))
        // n1's keeper gave up: its lease runs out on the new etcd leader. n2 takes a new one.
        try await other.grant()
        let last = Mutex("")
        let won = await Self.waitFor(Self.ttl * 4) {
            do {
                let outcome = try await other.campaign()
                last.withLock { $0 = "\(outcome)" }
                if case .won(let next) = outcome { return next > term }
            } catch {
                last.withLock { $0 = "\(error)" }
            }
            return false
        }
        #expect(won != nil, "n2 never won after etcd was back and n1's lease expired; last campaign: \(last.withLock { $0 })")
        #expect(!(await holder.holds))
    }

    @Test("over TLS with a client certificate: the election works; without the certificate, or without the CA, the member refuses")
    func tls() async throws {
        let cluster = try EtcdTestCluster(tls: true)
        defer { cluster.shutdown() }
        let node = try Contender("n1", cluster: cluster)
        try await node.grant()
        guard case .won = try await node.campaign() else { Issue.record("n1 did not win an empty election over TLS"); return }
        #expect(try await node.election.leader()?.node == "n1")

        var noCertificate = cluster.config(prefix: Self.keys.prefix)
        noCertificate.certFile = nil
        noCertificate.keyFile = nil
        let anonymous = try EtcdClient(config: noCertificate, requestTimeout: .milliseconds(500))
        let anonymousRun = Task { await anonymous.run() }
        defer { anonymous.close(); anonymousRun.cancel() }
        let refused = await #expect(throws: EtcdError.self) { _ = try await anonymous.get(Self.keys.leader) }
        #expect(refused?.description.contains("etcd https://127.0.0.1:") == true, "names the endpoint: \(String(describing: refused))")
        #expect(refused?.description.contains("ca_file, cert_file and key_file") == true, "points at the TLS files: \(String(describing: refused))")
        print("etcd TLS without a client certificate: \(String(describing: refused))")

        var systemTrust = cluster.config(prefix: Self.keys.prefix)
        systemTrust.caFile = nil
        let untrusting = try EtcdClient(config: systemTrust, requestTimeout: .milliseconds(500))
        let untrustingRun = Task { await untrusting.run() }
        defer { untrusting.close(); untrustingRun.cancel() }
        let untrusted = await #expect(throws: EtcdError.self) { _ = try await untrusting.get(Self.keys.leader) }
        print("etcd TLS without the CA: \(String(describing: untrusted))")
    }

    @Test("every endpoint answers a status, and exactly one member is etcd's leader")
    func memberStatus() async throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let contender = try Contender("n1", cluster: cluster)
        var leaders = 0
        for endpoint in cluster.endpoints {
            let status = try await contender.client.status(of: endpoint)
            #expect(status.version.hasPrefix("3."))
            #expect(status.errors.isEmpty)
            if status.isLeader { leaders += 1 }
        }
        #expect(leaders == 1)
    }
}
#endif
