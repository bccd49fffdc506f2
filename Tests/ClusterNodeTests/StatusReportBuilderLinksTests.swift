@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// `StatusReportBuilder`: the runtime's last-heard ages per peer and local link become
/// `links` of `hactl status`, down past `failure_timeout` or when never heard.
@Suite struct StatusReportBuilderLinksTests {
    @Test func linksAreUpWithinTheFailureTimeoutAndDownAfterOrWhenNeverHeard() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 181, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        var config = cluster.config
        config.cluster.failureTimeout = .seconds(1)
        config.nodes[0].addresses = ["198.18.1.11", "198.18.2.11"]
        let runtime = try cluster.runtime(0, effects: RecordingEffects(), config: config)
        let builder = StatusReportBuilder(config: config, localNode: "node1")
        var status = await runtime.status()
        #expect(status.links.map { "\($0.peer) \($0.link) \($0.localAddress)" }
            == ["node2 0 198.18.1.11", "node2 1 198.18.2.11", "node3 0 198.18.1.11", "node3 1 198.18.2.11"])
        status.links[0].lastHeard = .milliseconds(150)
        status.links[1].lastHeard = .milliseconds(12_300)
        status.links[2].lastHeard = .seconds(1)
        status.links[3].lastHeard = nil
        let report = builder.report(status, .init(wallClock: 1_800_000_000))
        #expect(report.links == [
            .init(node: "node2", link: 0, localAddress: "198.18.1.11", state: .up, lastHeardMilliseconds: 150),
            .init(node: "node2", link: 1, localAddress: "198.18.2.11", state: .down, lastHeardMilliseconds: 12_300),
            .init(node: "node3", link: 0, localAddress: "198.18.1.11", state: .up, lastHeardMilliseconds: 1000),
            .init(node: "node3", link: 1, localAddress: "198.18.2.11", state: .down, lastHeardMilliseconds: nil),
        ])
        let text = StatusRenderer(now: UTCTimestamp(secondsSinceEpoch: 1_800_000_000)).render(report)
        #expect(text.contains("Links:\n  node2  link 0 (198.18.1.11) up, link 1 (198.18.2.11) DOWN 12s\n"))
    }

    /// `nodes[].last_heard_ms`: the newest of a peer's links, like `last_seen`; absent for this
    /// node and for a peer heard on no link.
    @Test func eachPeerIsLastHeardOnItsNewestLink() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 187, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        var config = cluster.config
        config.nodes[0].addresses = ["198.18.1.11", "198.18.2.11"]
        let runtime = try cluster.runtime(0, effects: RecordingEffects(), config: config)
        let builder = StatusReportBuilder(config: config, localNode: "node1")
        var status = await runtime.status()
        status.links[0].lastHeard = .milliseconds(12_300)
        status.links[1].lastHeard = .milliseconds(150)
        status.links[2].lastHeard = nil
        status.links[3].lastHeard = nil
        let report = builder.report(status, .init(wallClock: 1_800_000_000))
        #expect(report.nodes.map(\.name) == ["node1", "node2", "node3"])
        #expect(report.nodes.map(\.lastHeardMilliseconds) == [nil, 150, nil])
        #expect(report.nodes.map(\.lastSeen) == [nil, UTCTimestamp(secondsSinceEpoch: 1_800_000_000), nil])
        status.links[2].lastHeard = .milliseconds(2_400)
        let later = builder.report(status, .init(wallClock: 1_800_000_000))
        #expect(later.nodes.map(\.lastHeardMilliseconds) == [nil, 150, 2_400])
        #expect(later.nodes[2].lastSeen == UTCTimestamp(secondsSinceEpoch: 1_799_999_998))
    }

}
