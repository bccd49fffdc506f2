import Synchronization
@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
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
        let effects = RecordingEffects()
        let runtime = try cluster.runtime(0, effects: effects)
        try await runtime.start()
        defer { Task { await runtime.stop() } }
        let target = cluster.config.nodes[0].addresses[0]
        let peer = (host: cluster.config.nodes[1].addresses[0], port: port)

        // Garbage, a datagram of the right cluster sealed with the wrong key, one of another
        // cluster, one too large.
        var wrongKey = WireSession(keys: WireKeys(keyMaterial: Array(repeating: 9, count: 32), clusterName: cluster.config.cluster.name),
                                   localNode: "node2", incarnation: Incarnation(1), peers: cluster.names)
        var otherCluster = WireSession(keys: WireKeys(clusterKey: ClusterKey(bytes: LoopbackCluster.key), clusterName: "another"),
                                       localNode: "node2", incarnation: Incarnation(1), peers: cluster.names)
        let forged: [[UInt8]] = [
            Array("GET / HTTP/1.0\r\n\r\n".utf8) + Array(repeating: 0, count: 40),
            try wrongKey.seal([1, 2, 3], to: "node1"),
            try otherCluster.seal([1, 2, 3], to: "node1"),
            { (sealed: [UInt8]) in sealed + Array(repeating: 0xAA, count: 1500 - sealed.count) }(try wrongKey.seal([4], to: "node1")),
        ]
        // From an address that is no peer's: the kernel filter drops them, nothing is queued.
        for datagram in forged { try sendRawUDP(datagram, to: target, port: port) }
        try await Task.sleep(for: .milliseconds(300))
        var wire = await runtime.status().wire
        #expect(wire.totalRejected == 0 && wire.accepted == 0, "dropped by the kernel: \(wire.rejected)")

        // From the peer's own address and port (spoofed): the sealed one with the wrong key gets
        // past every cheap check and fails authentication, the one too large (with a valid header)
        // is refused by size; the others end in the kernel filter (magic, tag).
        for datagram in forged { try sendRawUDP(datagram, to: target, port: port, from: peer) }
        let counted = await eventually(timeout: .seconds(5)) {
            let wire = await runtime.status().wire
            return wire[.authenticationFailed] == 1 && wire[.oversized] == 1
        }
        wire = await runtime.status().wire
        #expect(counted, "counters: \(wire.rejected)")
        #expect(wire[.badMagic] == 0 && wire[.wrongCluster] == 0, "the kernel filter drops a wrong magic or cluster tag: \(wire.rejected)")
        #expect(wire.accepted == 0)
        let events = effects.log.withLock { $0.events }
        #expect(events.contains { $0.kind == .wireRejected && $0.message.contains("failed authentication") })
        #expect(runtime.heartbeat.isAlive(within: .seconds(1)), "the loop keeps running")
    }

    /// The check below can fail: with failed persists ignored, a node whose
    /// state cannot be written wins an election.
    @Test func ignoringPersistFailuresLetsANodeWithoutStateLead() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 45, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        for index in 0..<3 {
            try FileManager.default.createDirectory(atPath: cluster.directories[index] + "/state.tmp", withIntermediateDirectories: false)
        }
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        for runtime in runtimes { await runtime.setMutations(.ignorePersistFailures) }
        try await startAll(runtimes)
        let elected = await eventually(timeout: .seconds(10)) { await leaders(runtimes).count == 1 }
        #expect(elected, "the mutation should let a node without durable state lead")
        for runtime in runtimes { await runtime.stop() }
    }

    @Test func aLeaderWhoseDiskFailsGoesSilentReleasesAndIsReplaced() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 131, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        try await startAll(runtimes)
        #expect(await eventually(timeout: .seconds(10)) { await leaders(runtimes).count == 1 })
        guard let first = await leaders(runtimes).first, let old = cluster.names.firstIndex(of: first.name) else { return }
        #expect(await eventually(timeout: .seconds(5)) { !effects[old].takeovers.isEmpty })

        // The leader's state directory breaks; the next change it must persist fails.
        try FileManager.default.createDirectory(atPath: cluster.directories[old] + "/state.tmp", withIntermediateDirectories: false)
        let other = cluster.names[(old + 1) % 3]
        let outcome = await runtimes[old].submit(.ban(node: other, lifetime: nil))
        #expect(outcome == .noQuorum, "a change that cannot be stored is not committed")

        // Silent, it loses its lease and releases; another node leads and takes over.
        let replaced = await eventually(timeout: .seconds(10)) {
            let now = await leaders(runtimes)
            guard now.count == 1, now[0].name != first.name, let index = cluster.names.firstIndex(of: now[0].name) else { return false }
            return effects[old].log.withLock { $0.releases.contains(.lostQuorum) } && !effects[index].takeovers.isEmpty
        }
        #expect(replaced, "releases of the old leader: \(effects[old].log.withLock { $0.releases })")
        let oldStatus = await runtimes[old].status()
        #expect(oldStatus.election.role != .leader)
        #expect(oldStatus.persistence != .healthy)
        // Nobody stored the ban that failed to persist on the old leader.
        for index in 0..<3 where index != old {
            #expect(try FileStateStore(directory: cluster.directories[index]).load()?.admin.constraints.isEmpty == true)
        }
        for runtime in runtimes { await runtime.stop() }
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
            #expect(effects[index].log.withLock { $0.events.contains { $0.kind == .persistFailed } })
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

/// Several links per node, and admin commands through the runtime.
@Suite(.serialized) struct RuntimeLinksAndCommandsTests {
    private func leaderIndex(_ runtimes: [ClusterRuntime]) async -> Int? {
        var found: [Int] = []
        for (index, runtime) in runtimes.enumerated() where await runtime.status().election.role == .leader {
            found.append(index)
        }
        return found.count == 1 ? found[0] : nil
    }

    @Test func everyMessageGoesOnEveryLinkAndEachLinkIsSeenAlive() async throws {
        // node1 and node2 have two links, node3 only one (like a witness on one network).
        let port = LoopbackCluster.freePort()
        var cluster = try LoopbackCluster.make(nodes: 3, hostBase: 51, port: port)
        defer { cluster.removeDirectories() }
        var config = cluster.config
        config.nodes[0].addresses = ["127.0.0.51", "127.0.1.51"]
        config.nodes[1].addresses = ["127.0.0.52", "127.0.1.52"]
        config.nodes[2].addresses = ["127.0.0.53"]
        cluster = LoopbackCluster(config: config, names: cluster.names, directories: cluster.directories)
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: RecordingEffects()) }
        for runtime in runtimes { try await runtime.start() }
        defer { Task { for runtime in runtimes { await runtime.stop() } } }

        let elected = await eventually(timeout: .seconds(10)) { await leaderIndex(runtimes) != nil }
        #expect(elected)
        // Whoever leads, node1 and node2 hear each other on both links, and node3 at least on the first.
        let bothLinks = await eventually(timeout: .seconds(5)) {
            let links = await runtimes[0].status().links
            let toNode2 = links.filter { $0.peer == "node2" }
            let toNode3 = links.filter { $0.peer == "node3" }
            return toNode2.count == 2 && toNode2.allSatisfy { $0.lastHeard != nil }
                && toNode3.first { $0.link == 0 }?.lastHeard != nil
        }
        let links = await runtimes[0].status().links
        #expect(bothLinks, "links of node1: \(links)")
        // node3 has one socket but sends to every address of node1, so node1 hears it on both its links.
        #expect(links.filter { $0.peer == "node3" }.count == 2)
        // The second copy of each datagram is authentic and dropped as a duplicate, not processed twice.
        let wire = await runtimes[0].status().wire
        #expect(wire[.duplicate] > 0)
        #expect(wire[.authenticationFailed] == 0 && wire[.replayed] == 0)
    }

    @Test func adminCommandsCommitFromAnyNodeAndReachTheEffects() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 61, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        for runtime in runtimes { try await runtime.start() }
        defer { Task { for runtime in runtimes { await runtime.stop() } } }

        let elected = await eventually(timeout: .seconds(10)) { await leaderIndex(runtimes) != nil }
        #expect(elected)
        guard let leader = await leaderIndex(runtimes) else { return }
        let took = await eventually(timeout: .seconds(5)) { !effects[leader].takeovers.isEmpty }
        #expect(took)

        // `disable` submitted on a follower is forwarded, committed by a quorum, and the leader releases.
        let follower = (leader + 1) % 3
        let outcome = await runtimes[follower].submit(.disable)
        guard case .committed = outcome else {
            Issue.record("disable on a follower: \(outcome)")
            return
        }
        let released = await eventually(timeout: .seconds(5)) { effects[leader].log.withLock { $0.releases.contains(.disabled) } }
        #expect(released)
        #expect(await runtimes[follower].status().election.admin.enabled == false)
        // A command naming an unknown node is rejected, not hung.
        let rejected = await runtimes[leader].submit(.ban(node: "nosuchnode", lifetime: nil))
        #expect(rejected == .rejected(.unknownNode("nosuchnode")))
        let stored = try FileStateStore(directory: cluster.directories[follower]).load()
        #expect(stored?.admin.enabled == false, "the follower persisted the committed snapshot")
    }
}

/// Crashes and restarts over real UDP: failover to a new leader, and a
/// restarted node (new incarnation, same state directory) rejoining.
@Suite(.serialized) struct RuntimeRestartTests {
    private func leaders(_ runtimes: [ClusterRuntime]) async -> [(index: Int, term: Term)] {
        var found: [(Int, Term)] = []
        for (index, runtime) in runtimes.enumerated() {
            let status = await runtime.status().election
            if status.role == .leader { found.append((index, status.term)) }
        }
        return found
    }

    @Test func leaderStopsAnotherTakesOverAndTheOldOneRejoinsAsFollower() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 81, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let effects = (0..<3).map { _ in RecordingEffects() }
        var runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        for runtime in runtimes { try await runtime.start() }

        #expect(await eventually(timeout: .seconds(10)) { await leaders(runtimes).count == 1 })
        guard let first = await leaders(runtimes).first else { return }
        await runtimes[first.index].stop()

        // The two others elect a new leader in a higher term, which takes over.
        let survivors = runtimes.indices.filter { $0 != first.index }
        let failedOver = await eventually(timeout: .seconds(10)) {
            let now = await leaders(survivors.map { runtimes[$0] })
            return now.count == 1 && now[0].term > first.term
        }
        #expect(failedOver)
        guard let second = await leaders(survivors.map { runtimes[$0] }).first else { return }
        let secondIndex = survivors[second.index]
        #expect(await eventually(timeout: .seconds(5)) { effects[secondIndex].takeovers.contains(second.term) })

        // The old leader restarts from its state directory with a new incarnation.
        let restarted = try ClusterRuntime(
            config: cluster.config, localNode: cluster.names[first.index], key: ClusterKey(bytes: LoopbackCluster.key),
            store: FileStateStore(directory: cluster.directories[first.index]), effects: effects[first.index],
            incarnation: Incarnation(UInt64(first.index + 1) * 1000 + 1), seed: 7)
        runtimes[first.index] = restarted
        try await restarted.start()
        let rejoined = await eventually(timeout: .seconds(10)) {
            let status = await restarted.status().election
            return status.role == .follower && status.leader == cluster.names[secondIndex] && status.term == second.term
        }
        let restartedStatus = await restarted.status().election
        #expect(rejoined, "restarted node: \(restartedStatus)")
        #expect(await leaders(runtimes).map(\.index) == [secondIndex], "the rejoining node did not depose the leader")
        for runtime in runtimes { await runtime.stop() }
    }

    @Test func aRestartThatReusesTheIncarnationIsRejectedByPeers() async throws {
        let cluster = try LoopbackCluster.make(nodes: 2, hostBase: 91, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let observer = try cluster.runtime(0, effects: RecordingEffects())
        try await observer.start()
        var talker = try cluster.runtime(1, effects: RecordingEffects())
        try await talker.start()
        #expect(await eventually(timeout: .seconds(5)) { await observer.status().wire.accepted > 20 })
        await talker.stop()

        // Same incarnation again: its sequence numbers restart at 1, which the observer has seen.
        talker = try cluster.runtime(1, effects: RecordingEffects())
        try await talker.start()
        let rejected = await eventually(timeout: .seconds(5)) {
            let wire = await observer.status().wire
            return wire[.duplicate] + wire[.replayed] > 5
        }
        let observed = await observer.status().wire
        #expect(rejected, "\(observed)")
        await talker.stop()
        await observer.stop()
    }
}

/// A link that cannot be bound at start does not stop the node; it is retried.
@Suite(.serialized) struct RuntimeUnboundLinkTests {
    @Test func aNodeStartsOnItsRemainingLinkAndBindsTheOtherOnceFree() async throws {
        let port = LoopbackCluster.freePort()
        var cluster = try LoopbackCluster.make(nodes: 2, hostBase: 111, port: port)
        defer { cluster.removeDirectories() }
        var config = cluster.config
        config.nodes[0].addresses = ["127.0.0.111", "127.0.1.111"]
        config.nodes[1].addresses = ["127.0.0.112", "127.0.1.112"]
        config.quorum = QuorumSettings(twoNode: true, waitForAll: false)
        cluster = LoopbackCluster(config: config, names: cluster.names, directories: cluster.directories)

        // Another process holds node1's second link.
        let squatter = try PortSquatter(host: "127.0.1.111", port: port)
        let node1Effects = RecordingEffects()
        let node1 = try cluster.runtime(0, effects: node1Effects)
        let node2 = try cluster.runtime(1, effects: RecordingEffects())
        try await node1.start()
        try await node2.start()
        defer { Task { await node1.stop(); await node2.stop() } }

        #expect(await node1.status().unboundLinks == [1])
        #expect(node1Effects.log.withLock { $0.events.contains { $0.kind == .linkUnbound && $0.message.contains("127.0.1.111") } })
        // node1 still hears node2 (on link 0).
        let heard = await eventually(timeout: .seconds(5)) {
            await node1.status().links.contains { $0.peer == "node2" && $0.link == 0 && $0.lastHeard != nil }
        }
        #expect(heard)

        squatter.release()
        let bound = await eventually(timeout: .seconds(10)) {
            let status = await node1.status()
            return status.unboundLinks.isEmpty
                && status.links.contains { $0.peer == "node2" && $0.link == 1 && $0.lastHeard != nil }
        }
        let linksAfter = await node1.status().links
        #expect(bound, "\(linksAfter)")
        #expect(node1Effects.log.withLock { $0.events.contains { $0.kind == .linkBound } })
    }

    @Test func noBindableLinkIsAStartErrorNamingTheAddress() async throws {
        let port = LoopbackCluster.freePort()
        let cluster = try LoopbackCluster.make(nodes: 2, hostBase: 121, port: port)
        defer { cluster.removeDirectories() }
        let squatter = try PortSquatter(host: "127.0.0.121", port: port)
        defer { squatter.release() }
        let node1 = try cluster.runtime(0, effects: RecordingEffects())
        do {
            try await node1.start()
            Issue.record("started without any bound link")
            await node1.stop()
        } catch {
            guard case .bindFailed(let address, let failedPort, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(address == "127.0.0.121" && failedPort == Int(port))
        }
    }
}
