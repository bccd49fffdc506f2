@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Synchronization
import Testing
@testable import ClusterCore

/// Redundant links over real UDP: one link of a node stops working (its socket closed and
/// its port taken), the peers raise `link.down` once and keep the node, `hactl status`
/// shows that link down; the link comes back, `link.up`.
@Suite(.serialized) struct RuntimeLinkTests {
    private func events(_ effects: RecordingEffects, _ kind: EventKind) -> [String] {
        effects.log.withLock { $0.events.filter { $0.kind == kind }.map(\.message) }
    }

    @Test func aLinkThatStopsIsReportedDownOnceThenUpAndStatusShowsIt() async throws {
        let port = LoopbackCluster.freePort()
        var cluster = try LoopbackCluster.make(nodes: 3, hostBase: 171, port: port)
        defer { cluster.removeDirectories() }
        var config = cluster.config
        for index in 0..<3 { config.nodes[index].addresses = ["127.0.0.\(171 + index)", "127.0.1.\(171 + index)"] }
        cluster = LoopbackCluster(config: config, names: cluster.names, directories: cluster.directories)
        let effects = (0..<3).map { _ in RecordingEffects() }
        let runtimes = try (0..<3).map { try cluster.runtime($0, effects: effects[$0]) }
        for runtime in runtimes { try await runtime.start() }
        defer { Task { for runtime in runtimes { await runtime.stop() } } }
        let builder = StatusReportBuilder(config: config, localNode: "node1")
        func linksOfNode1() async -> [StatusReport.Link] {
            builder.links(await runtimes[0].status().links)
        }

        let allUp = await eventually(timeout: .seconds(10)) {
            let links = await linksOfNode1()
            return links.count == 4 && links.allSatisfy { $0.state == .up }
        }
        let atStart = await linksOfNode1()
        #expect(allUp, "node1's links: \(atStart)")
        let elected = await eventually(timeout: .seconds(10)) { await runtimes[0].status().election.leader != nil }
        #expect(elected)
        let before = await runtimes[0].status().election
        #expect(events(effects[0], .linkDown).isEmpty, "nothing is down at start: \(events(effects[0], .linkDown))")

        // node2's link 1 stops: its socket closed, its address and port taken (the runtime
        // retries the bind every 2 s and fails while the squatter holds it).
        await runtimes[1].closeLinkForTest(1)
        let squatter = try PortSquatter(host: "127.0.1.172", port: port)
        var squatting = true
        defer { if squatting { squatter.release() } }

        let expected = "link 1 (127.0.1.171) to node2 is down: nothing heard for "
        let reported = await eventually(timeout: .seconds(5)) { !events(effects[0], .linkDown).isEmpty }
        #expect(reported)
        let down = events(effects[0], .linkDown)
        #expect(down.count == 1, "\(down)")
        #expect(down.first?.hasPrefix(expected) == true, "\(down)")
        #expect(down.first?.hasSuffix("; node2 still reachable on link 0") == true, "\(down)")
        // node2 hears nobody on its link 1 any more.
        let deaf = await eventually(timeout: .seconds(5)) { events(effects[1], .linkDown).count == 2 }
        #expect(deaf, "\(events(effects[1], .linkDown))")
        #expect(Set(events(effects[1], .linkDown).map { String($0.prefix(30)) })
            == ["link 1 (127.0.1.172) to node1 ", "link 1 (127.0.1.172) to node3 "])

        // Status: that link down, everything else up; node2 online; no new election.
        let links = await linksOfNode1()
        #expect(links.filter { $0.state == .down }.map { "\($0.node) \($0.link)" } == ["node2 1"], "\(links)")
        let downLink = try #require(links.first { $0.node == "node2" && $0.link == 1 })
        #expect(downLink.localAddress == "127.0.1.171")
        #expect((downLink.lastHeardMilliseconds ?? 0) > 400)
        let report = builder.report(await runtimes[0].status(), .init(wallClock: 1_800_000_000))
        #expect(report.links == links || report.links?.count == 4)
        #expect(report.nodes.first { $0.name == "node2" }?.state == .online)
        // Once per change: still one event a while later.
        try await Task.sleep(for: .milliseconds(600))
        #expect(events(effects[0], .linkDown).count == 1)
        let during = await runtimes[0].status().election
        #expect(during.term == before.term && during.leader == before.leader, "a lost link is no failure")

        // The port is free again: node2 binds its link 1 at its next retry, the link is up again.
        squatter.release()
        squatting = false
        let back = await eventually(timeout: .seconds(6)) { !events(effects[0], .linkUp).isEmpty }
        #expect(back)
        #expect(events(effects[0], .linkUp).count == 1)
        #expect(events(effects[0], .linkUp).first?.hasPrefix("link 1 (127.0.1.171) to node2 is up again (down for ") == true)
        #expect(!events(effects[1], .linkBound).isEmpty)
        let upAgain = await eventually(timeout: .seconds(2)) { await linksOfNode1().allSatisfy { $0.state == .up } }
        let after = await linksOfNode1()
        #expect(upAgain, "\(after)")
        #expect(events(effects[0], .linkDown).count == 1)
    }
}
