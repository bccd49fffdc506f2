@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// `StatusReportBuilder`: the arbiter file's I/O counters (`ArbiterMonitor.View`) become
/// `arbiter.io_counters` of `hactl --json status` and an `I/O since open` line of the text form.
@Suite struct StatusReportBuilderArbiterTests {
    static let config = ClusterConfig(
        cluster: ClusterSettings(name: "nas"),
        quorum: QuorumSettings(twoNode: true, waitForAll: true, tieBreaker: .storage),
        nodes: [NodeConfig(name: "n1", addresses: ["198.18.1.1"]), NodeConfig(name: "n2", addresses: ["198.18.1.2"])],
        service: ServiceConfig(name: "svc", units: ["svc.service"]),
        storage: StorageConfig(path: "/srv/shared"))

    static let status = ArbiterStatus(
        storageTimeout: .seconds(1), ownAccessLost: false, sinceGoodCycle: .milliseconds(40), lastError: nil,
        peers: [.init(name: "n2", verdict: .alive(age: .milliseconds(120)), sinceAdvanced: .milliseconds(120), counter: 77,
                      leader: false, holding: false, networkLost: false)])

    @Test func countersAreInTheJSONUnderSnakeCaseKeysAndInTheText() throws {
        let builder = StatusReportBuilder(config: Self.config, localNode: "n1")
        let view = ArbiterMonitor.View(
            file: "/srv/shared/.hacluster/arbiter", ioMode: "direct", fallbackReason: nil,
            counters: ArbiterFile.Counters(reads: 51, writes: 50, bytesRead: 51 * 20480, bytesWritten: 50 * 4096 + 4096))
        let arbiter = try #require(builder.arbiter(Self.status, file: view))
        #expect(arbiter.ioCounters == .init(reads: 51, writes: 50, bytesRead: 1_044_480, bytesWritten: 208_896))

        let data = try ControlProtocol.makeEncoder().encode(arbiter)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let io = try #require(object["io_counters"] as? [String: Int])
        #expect(io == ["reads": 51, "writes": 50, "bytes_read": 1_044_480, "bytes_written": 208_896])
        #expect(try JSONDecoder().decode(StatusReport.Arbiter.self, from: data) == arbiter)

        var report = StatusReportFixtures.full
        report.arbiter = arbiter
        let text = StatusRenderer(now: StatusReportFixtures.now).render(report)
        #expect(text.contains("\n  I/O since open: 51 reads (1044480 bytes), 50 writes (208896 bytes)\n"))
    }

    @Test func noCountersBeforeTheFileIsOpen() throws {
        let builder = StatusReportBuilder(config: Self.config, localNode: "n1")
        let unopened = ArbiterMonitor.View(file: "/srv/shared/.hacluster/arbiter", ioMode: nil, fallbackReason: nil, counters: nil)
        let arbiter = try #require(builder.arbiter(Self.status, file: unopened))
        #expect(arbiter.ioCounters == nil)
        let object = try #require(try JSONSerialization.jsonObject(with: ControlProtocol.makeEncoder().encode(arbiter)) as? [String: Any])
        #expect(object["io_counters"] == nil)
    }
}
