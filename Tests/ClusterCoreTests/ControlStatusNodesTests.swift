import CoreTestSupport
import Foundation
import Testing

@testable import ClusterCore

/// The `Nodes:` section and the `Last updated` line of `hactl status`: every node's release in
/// a column, how long ago each online peer was heard (`nodes[].last_heard_ms`), and when and
/// by which node the report was made.
@Suite("StatusReport nodes")
struct ControlStatusNodesTests {
    private func nodeLines(_ report: StatusReport) -> [String] {
        let text = StatusRenderer(now: StatusReportFixtures.now).render(report)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "Nodes:") else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }

    @Test("every node's release is a column, also while all nodes run the same one")
    func releaseColumn() {
        var report = StatusReportFixtures.spec
        for index in report.nodes.indices { report.nodes[index].version = "0.9.0" }
        #expect(nodeLines(report) == [
            "  dss1  online    active    0.9.0  this node, coordinator",
            "  dss2  online    standby   0.9.0",
            "  dss3  online    witness   0.9.0",
        ])
    }

    @Test("a learner says so and how to make it a member; member travels in the JSON")
    func learner() throws {
        var report = StatusReportFixtures.spec
        for index in report.nodes.indices { report.nodes[index].version = "0.9.0"; report.nodes[index].member = true }
        report.nodes[1].member = false
        #expect(nodeLines(report)[1] == "  dss2  online    standby   0.9.0  learner, not a voting member (hactl node add dss2)")
        let json = String(decoding: try JSONEncoder().encode(report.nodes[1]), as: UTF8.self)
        #expect(json.contains("\"member\":false"), "\(json)")
    }

    @Test("a node that did not tell its release reads unknown; the column takes the widest")
    func unknownRelease() {
        var report = StatusReportFixtures.spec
        report.nodes[0].version = "0.9.0"
        report.nodes[1].version = "0.10.0-rc1"
        #expect(nodeLines(report) == [
            "  dss1  online    active    0.9.0       this node, coordinator",
            "  dss2  online    standby   0.10.0-rc1",
            "  dss3  online    witness   unknown",
        ])
        // A daemon that reports no release at all (the spec's report).
        #expect(nodeLines(StatusReportFixtures.spec).allSatisfy { $0.contains(" unknown") })
    }

    @Test("mixed releases: the warning stays, and each node's line shows its own")
    func mixedReleases() {
        var report = StatusReportFixtures.spec
        report.nodes[0].version = "0.9.0"
        report.nodes[1].version = "1.0.0"
        report.nodes[2].version = "0.9.0"
        report.warnings = ["nodes run different releases (0.9.0 on dss1, dss3; 1.0.0 on dss2): finish the upgrade on every node"]
        let text = StatusRenderer(now: StatusReportFixtures.now).render(report)
        #expect(text.contains("\nWARNING: nodes run different releases (0.9.0 on dss1, dss3; 1.0.0 on dss2): finish the upgrade on every node\n"))
        #expect(nodeLines(report) == [
            "  dss1  online    active    0.9.0  this node, coordinator",
            "  dss2  online    standby   1.0.0",
            "  dss3  online    witness   0.9.0",
        ])
    }

    @Test("each online or standby peer says when it was last heard; not this node, not a failed peer")
    func heard() {
        var report = StatusReportFixtures.spec
        report.nodes[1].lastHeardMilliseconds = 40
        report.nodes[2].lastHeardMilliseconds = 1_500
        #expect(nodeLines(report) == [
            "  dss1  online    active    unknown  this node, coordinator",
            "  dss2  online    standby   unknown  heard 40ms ago",
            "  dss3  online    witness   unknown  heard 1.5s ago",
        ])
        report.nodes[1].state = .standby
        report.nodes[2].lastHeardMilliseconds = nil  // never heard (or a daemon without the key)
        report.nodes[0].lastHeardMilliseconds = 5  // never sent for the local node; not shown if it were
        #expect(nodeLines(report) == [
            "  dss1  online    active    unknown  this node, coordinator",
            "  dss2  STANDBY   standby   unknown  heard 40ms ago",
            "  dss3  online    witness   unknown",
        ])
        // A failed peer: when it was last seen, not a last-heard age that only grows.
        report.nodes[1].state = .offline
        report.nodes[1].lastHeardMilliseconds = 302_000
        report.nodes[1].lastSeen = UTCTimestamp(iso8601: "2026-11-21T09:45:00Z")
        #expect(nodeLines(report)[1] == "  dss2  OFFLINE   standby   unknown  last seen 5min 2s ago")
    }

    @Test("last_heard_ms travels in the JSON, absent when nil")
    func json() throws {
        let data = try ControlProtocol.makeEncoder().encode(StatusReportFixtures.full)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
        let nodes = try #require(object["nodes"] as? [NSDictionary])
        #expect(nodes[2]["last_heard_ms"] as? Int == 120)
        #expect(nodes[1]["last_heard_ms"] == nil, "the local node")
        #expect(nodes[1]["version"] as? String == "0.9.0")
        let decoded = try JSONDecoder().decode(StatusReport.self, from: data)
        #expect(decoded.nodes.map(\.lastHeardMilliseconds) == [302_000, nil, 120])
    }

    @Test("Last updated: the report's time and the node that made it, second line; absent without a time")
    func lastUpdated() {
        var report = StatusReportFixtures.spec
        report.time = UTCTimestamp(iso8601: "2026-12-06T08:10:02Z")
        let lines = StatusRenderer(now: StatusReportFixtures.now).render(report).split(separator: "\n").map(String.init)
        #expect(lines[1] == "Last updated: 2026-12-06T08:10:02Z by dss1")
        let older = StatusRenderer(now: StatusReportFixtures.now).render(StatusReportFixtures.spec)
        #expect(!older.contains("Last updated"))
    }
}
