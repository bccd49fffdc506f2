import Synchronization
@testable import ClusterCore
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Testing

/// `ClusterRuntime.override` over real UDP on loopback: the links it hears refuse a fence
/// confirmation of a live node, naming the link; once the node is gone it is applied.
@Suite(.serialized) struct RuntimeOverrideTests {
    private func leaderIndex(_ runtimes: [ClusterRuntime]) async -> Int? {
        for (index, runtime) in runtimes.enumerated() where await runtime.status().election.role == .leader {
            return index
        }
        return nil
    }

    @Test func fenceConfirmIsRefusedWhileTheLinkHearsTheNodeAndAppliedOnceItIsGone() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 191, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        for runtime in runtimes { try await runtime.start() }
        defer { Task { for runtime in runtimes { await runtime.stop() } } }

        let elected = await eventually(timeout: .seconds(10)) { await leaderIndex(runtimes) != nil }
        #expect(elected)
        guard let leader = await leaderIndex(runtimes) else { return }
        let follower = (leader + 1) % 3
        let target = cluster.names[follower]

        let refusal = await runtimes[leader].override(.confirmFenced(node: target), uid: 1000)
        guard case let .heardAlive(node, links)? = refusal else {
            Issue.record("expected heardAlive, got \(String(describing: refusal))")
            return
        }
        #expect(node == target)
        #expect(links.map(\.link) == [0])
        #expect(links.first?.localAddress == cluster.config.nodes[leader].addresses[0])
        #expect(refusal?.description.contains("\(target) is alive: this node heard it on link 0 (127.0.0.\(191 + leader))") == true)
        #expect(!effects[leader].log.withLock { $0.events }.contains { $0.kind == .fenceOperatorConfirmed })

        // A node that stopped: refused while still heard, applied once silent for failure_timeout.
        let other = (leader + 2) % 3
        await runtimes[other].stop()
        let silent = await eventually(timeout: .seconds(3)) {
            await runtimes[leader].override(.confirmFenced(node: cluster.names[other]), uid: 1000) == nil
        }
        #expect(silent, "the confirmation of a stopped node is applied once it is silent for failure_timeout")
        let recorded = effects[leader].log.withLock { $0.events }.filter { $0.kind == .fenceOperatorConfirmed }
        #expect(recorded.count == 1 && recorded.first?.uid == 1000)
        #expect(await runtimes[leader].status().election.nodes.first { $0.name == cluster.names[other] }?.fenced == true)

        let unblock = await runtimes[follower].override(.unblockQuorum, uid: 0)
        #expect(unblock == .notWaiting(.disabled))
    }
}
