import Foundation
import Testing
@testable import ClusterCore

/// Real runtimes over real UDP on loopback addresses: election, forged
/// datagrams, and a node whose state cannot be written.
@Suite(.serialized) struct RuntimeLoopbackTests {
    /// Starts `runtimes`, retrying on another port if the first is taken.
    private func startAll(_ runtimes: [ClusterRuntime]) async throws {
        for runtime in runtimes {
            try await runtime.start()
        }
    }

    private func leaders(_ runtimes: [ClusterRuntime]) async -> [(name: String, term: Term)] {
        var result: [(String, Term)] = []
        for runtime in runtimes {
            let status = await runtime.status()
            if status.election.role == .leader { result.append((runtime.localNode, status.election.term)) }
        }
        return result
    }

    @Test func threeNodesElectExactlyOneLeaderWhichTakesOver() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 21, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        try await startAll(runtimes)

        let elected = await eventually(timeout: .seconds(10)) {
            let leaders = await leaders(runtimes)
            guard leaders.count == 1 else { return false }
            // Every node follows that leader in that term.
            for runtime in runtimes {
                let status = await runtime.status().election
                if status.leader != leaders[0].name || status.term != leaders[0].term { return false }
            }
            return true
        }
        #expect(elected, "no single leader agreed by all within 10 s")

        // Stable: for a while, never two leaders, and the same one.
        let first = await leaders(runtimes)
        for _ in 0..<25 {
            try await Task.sleep(for: .milliseconds(40))
            let now = await leaders(runtimes)
            #expect(now.count <= 1)
            #expect(now.map(\.name) == first.map(\.name))
        }
        let took = await eventually(timeout: .seconds(5)) { effects.filter { !$0.takeovers.isEmpty }.count == 1 }
        #expect(took, "exactly one node runs the takeover")
        let leaderIndex = cluster.names.firstIndex(of: first.first?.name ?? "")
        if let leaderIndex { #expect(effects[leaderIndex].takeovers.count == 1) }

        // Persisted: every node's state file holds the leader's term.
        for (index, runtime) in runtimes.enumerated() {
            await runtime.stop()
            let stored = try FileStateStore(directory: cluster.directories[index]).load()
            #expect(stored?.term == first.first?.term)
        }
    }

    @Test func forgedDatagramsFromARawSocketAreDroppedAndCounted() async throws {
        let port = LoopbackCluster.freePort()
        let cluster = try LoopbackCluster.make(nodes: 2, hostBase: 31, port: port)
        defer { cluster.removeDirectories() }
        let runtime = try cluster.runtime(0, effects: RecordingEffects())
        try await runtime.start()
        defer { Task { await runtime.stop() } }
        let target = cluster.config.nodes[0].addresses[0]

        // Garbage, a datagram of the right cluster sealed with the wrong key, and one of another cluster.
        try sendRawUDP(Array("GET / HTTP/1.0\r\n\r\n".utf8) + Array(repeating: 0, count: 40), to: target, port: port)
        var wrongKey = WireSession(keys: WireKeys(keyMaterial: Array(repeating: 9, count: 32), clusterName: cluster.config.cluster.name),
                                   localNode: "node2", incarnation: Incarnation(1), peers: cluster.names)
        try sendRawUDP(try wrongKey.seal([1, 2, 3], to: "node1"), to: target, port: port)
        var otherCluster = WireSession(keys: WireKeys(keyMaterial: LoopbackCluster.key, clusterName: "another"),
                                       localNode: "node2", incarnation: Incarnation(1), peers: cluster.names)
        try sendRawUDP(try otherCluster.seal([1, 2, 3], to: "node1"), to: target, port: port)
        try sendRawUDP(Array(repeating: 0xAA, count: 1500), to: target, port: port)

        let counted = await eventually(timeout: .seconds(5)) {
            let wire = await runtime.status().wire
            return wire[.badMagic] == 1 && wire[.authenticationFailed] == 1 && wire[.wrongCluster] == 1 && wire[.oversized] == 1
        }
        let wire = await runtime.status().wire
        #expect(counted, "counters: \(wire.rejected)")
        #expect(wire.accepted == 0)
        let events = await runtime.recentEvents()
        #expect(events.contains { $0.kind == "wire.rejected" && $0.message.contains("failed authentication") })
        #expect(runtime.heartbeat.isAlive(within: .seconds(1)), "the loop keeps running")
    }

    @Test func nodesThatCannotPersistNeverLeadNorVote() async throws {
        // node2 and node3 cannot write their state: node1 alone has no quorum,
        // because a vote is only granted after it is persisted.
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 41, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        for index in 1...2 {
            try FileManager.default.createDirectory(atPath: cluster.directories[index] + "/state.tmp", withIntermediateDirectories: false)
        }
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        try await startAll(runtimes)

        var everLeader: Set<String> = []
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline {
            for leader in await leaders(runtimes) { everLeader.insert(leader.name) }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(everLeader.isEmpty, "leaders seen: \(everLeader)")
        #expect(effects.allSatisfy { $0.takeovers.isEmpty })
        for index in 1...2 {
            let status = await runtimes[index].status()
            #expect(status.persistFailures > 0)
            guard case .failing(let error) = status.persistence else {
                Issue.record("node\(index + 1) reports healthy persistence")
                continue
            }
            #expect(error.path.hasPrefix(cluster.directories[index]))
            #expect(effects[index].log.withLock { $0.events.contains { $0.kind == "persist.failed" } })
        }

        // Repair node2's directory: it resumes, votes, and a leader is elected.
        try FileManager.default.removeItem(atPath: cluster.directories[1] + "/state.tmp")
        let elected = await eventually(timeout: .seconds(10)) { await leaders(runtimes).count == 1 }
        #expect(elected)
        let leader = await leaders(runtimes).first?.name
        #expect(leader != "node3")
        #expect(await runtimes[1].status().persistence == .healthy)
        for runtime in runtimes { await runtime.stop() }
    }
}
