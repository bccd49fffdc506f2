@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// `StatusReportBuilder`: on a node that does not hold the service, the service's state comes
/// from what the holder told of its takeover (`NodeInfo.service`), so a follower's
/// `hactl status` (and `hactl move --wait` run there) says "starting" until the holder's units
/// run and its health check passed.
@Suite struct StatusReportBuilderHolderTests {
    @Test func aFollowerReportsTheHoldersOwnPhase() async throws {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: 184, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let runtime = try cluster.runtime(0, effects: RecordingEffects(), config: cluster.config)
        let builder = StatusReportBuilder(config: cluster.config, localNode: "node1")
        var status = await runtime.status()
        status.election.holder = "node2"
        status.election.service = .idle
        let digest = status.localInfo.config

        let expected: [(NodeInfo.ServicePhase?, StatusReport.ServiceState, String?)] = [
            (nil, .started, nil),
            (.idle, .starting, "node2 is about to take over"),
            (.starting, .starting, "node2 is taking over"),
            (.started, .started, nil),
            (.stopping, .stopping, "node2 is releasing it"),
        ]
        for (phase, state, reason) in expected {
            status.peerInfo["node2"] = NodeInfo(software: "0.9.0", config: digest, service: phase)
            let report = builder.report(status, .init(wallClock: 1_800_000_000))
            #expect(report.service.state == state, "told \(String(describing: phase))")
            #expect(report.service.node == "node2")
            #expect(report.service.reason == reason)
            #expect(report.nodes.first { $0.name == "node2" }?.service == phase?.name)
        }
    }

    /// node1 of a 3-node loopback cluster, holding nothing, with nobody holding the service.
    static func idleFollower(hostBase: Int) async throws -> (StatusReportBuilder, RuntimeStatus) {
        let cluster = try LoopbackCluster.make(nodes: 3, hostBase: hostBase, port: LoopbackCluster.freePort())
        defer { cluster.removeDirectories() }
        let runtime = try cluster.runtime(0, effects: RecordingEffects(), config: cluster.config)
        var status = await runtime.status()
        status.election.holder = nil
        status.election.service = .idle
        return (StatusReportBuilder(config: cluster.config, localNode: "node1"), status)
    }

    @Test func aFollowerSeesThatNoNodeMayRunTheService() async throws {
        let (builder, idle) = try await Self.idleFollower(hostBase: 187)
        var status = idle
        status.election.placement = .onLeader
        status.election.admin.enabled = true
        for index in status.election.nodes.indices { status.election.nodes[index].liveness = .online }
        #expect(builder.serviceState(status.election) == (.starting, nil))
        for index in status.election.nodes.indices { status.election.nodes[index].liveness = .standby }
        status.election.nodes[2].liveness = .offline
        #expect(builder.serviceState(status.election) == (.blocked, "no eligible node"))
        status.election.admin.enabled = false
        #expect(builder.serviceState(status.election) == (.stopped, nil))
    }
}

extension StatusReportBuilderHolderTests {
    @Test func aFencingFailureNamesFenceConfirm() async throws {
        let (builder, idle) = try await Self.idleFollower(hostBase: 190)
        var status = idle
        status.election.placement = .fenceFailed("node2")
        let (state, reason) = builder.serviceState(status.election)
        #expect(state == .blocked)
        #expect(reason == "fencing node2 failed; retrying (if node2 is powered off, `hactl fence confirm node2` lets the takeover go on)")
    }
}
