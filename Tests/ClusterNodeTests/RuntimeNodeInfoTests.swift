@testable import ClusterNode
import ClusterCore
import CoreTestSupport
import Testing

/// Real runtimes over real UDP: the node info exchange (release, configuration digest)
/// between nodes, a node whose configuration differs, and a node of the first release,
/// which drops node info as an unknown kind, in the same cluster.
@Suite(.serialized) struct RuntimeNodeInfoTests {
    @Test func peersLearnEachOthersReleaseAndDigestAndADifferingConfigurationIsNamed() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 151, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        var drifted = cluster.config
        drifted.service.startTimeout = .seconds(900)
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0], config: $0 == 2 ? drifted : nil) }
        for runtime in runtimes { try await runtime.start() }

        let learned = await eventually(timeout: .seconds(5)) {
            for runtime in runtimes where await runtime.status().peerInfo.count != 2 { return false }
            return true
        }
        #expect(learned, "every node hears the other two's node info")
        let status = await runtimes[0].status()
        #expect(status.peerInfo["node2"]?.config == status.localInfo.config)
        #expect(status.peerInfo["node3"]?.config == ConfigDigest(drifted))
        #expect(status.peerInfo.values.allSatisfy { $0.software == ProductVersion.current })
        let warnings = ConfigAgreement.warnings(local: ("node1", status.localInfo), peers: status.peerInfo)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("on node3 ([service])") == true, "\(warnings)")
        // Only the first datagram each way, sent before the two runs had heard each other, is not used.
        #expect(status.wire.totalRejected == status.wire[.otherRun], "\(status.wire.rejected)")
        #expect(status.wire[.otherRun] <= 4, "\(status.wire.rejected)")
        for runtime in runtimes { await runtime.stop() }
    }

    @Test func aNodeOfTheFirstReleaseStillElectsAndIsToldAtMostOnceAMinute() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 161, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        await runtimes[2].setMutations(.firstReleaseWire)
        for runtime in runtimes { try await runtime.start() }

        let agreed = await eventually(timeout: .seconds(10)) {
            var leaders: Set<String> = []
            for runtime in runtimes {
                guard let leader = await runtime.status().election.leader else { return false }
                leaders.insert(leader)
            }
            return leaders.count == 1
        }
        #expect(agreed, "the three nodes, one of the first release, agree on a leader")
        try await Task.sleep(for: .seconds(2))
        let old = await runtimes[2].status()
        #expect(old.peerInfo.isEmpty, "the first release learns nothing")
        // Each newer node told it at start and when it first heard it: two drops each, no more.
        let drops = old.wire[.malformed]
        #expect(drops >= 1 && drops <= 4, "node info datagrams dropped by the old node: \(drops)")
        for runtime in runtimes.prefix(2) {
            let status = await runtime.status()
            #expect(status.peerInfo["node3"] == nil)
            #expect(status.peerInfo.count == 1)
            #expect(ConfigAgreement.warnings(local: (runtime.localNode, status.localInfo), peers: status.peerInfo).isEmpty)
        }
        for runtime in runtimes { await runtime.stop() }
    }

    @Test func aRelayReachesThePeersDaemonAndAnOldReleaseTimesOutWithAClearError() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 171, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        await runtimes[2].setMutations(.firstReleaseWire)
        await runtimes[1].setRelayHandler { body, peer in
            .success(Array("\(peer) asked: ".utf8) + body)
        }
        for runtime in runtimes { try await runtime.start() }

        let answer = await runtimes[0].relay(Array("ping".utf8), to: "node2", timeout: .seconds(5))
        #expect(answer == .success(Array("node1 asked: ping".utf8)))
        // node3 has no relay handler (a release without relays drops the datagram): a bounded wait, then why.
        let clock = ContinuousClock()
        let began = clock.now
        let silent = await runtimes[0].relay(Array("ping".utf8), to: "node3", timeout: .milliseconds(500))
        #expect(clock.now - began < .seconds(3))
        guard case let .failure(.unreachable(reason)) = silent else {
            Issue.record("expected unreachable, got \(silent)")
            return
        }
        #expect(reason.contains("node3 did not answer within 500ms"), "\(reason)")
        let unknown = await runtimes[0].relay([], to: "node9", timeout: .seconds(1))
        #expect(unknown == .failure(.unreachable("node9 is not a peer of this node")))
        for runtime in runtimes { await runtime.stop() }
    }
}
