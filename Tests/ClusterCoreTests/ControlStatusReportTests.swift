import CoreTestSupport
import Foundation
import Testing

@testable import ClusterCore

@Suite("StatusReport JSON and rendering")
struct ControlStatusReportTests {
    private func object(_ data: Data) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    @Test("the spec's example decodes and re-encodes to the same object")
    func specExampleRoundTrip() throws {
        let decoded = try JSONDecoder().decode(StatusReport.self, from: Data(StatusReportFixtures.specJSON.utf8))
        #expect(decoded == StatusReportFixtures.spec)
        let reencoded = try ControlProtocol.makeEncoder().encode(decoded)
        #expect(try object(reencoded) == object(Data(StatusReportFixtures.specJSON.utf8)))
    }

    @Test("the spec's keys are always present, null when empty")
    func keysAlwaysPresent() throws {
        var report = StatusReportFixtures.spec
        report.coordinator = nil
        report.service.node = nil
        report.service.state = .blocked
        report.constraints = [.init(kind: .ban, node: "dss2", expires: nil)]
        let json = try object(try ControlProtocol.makeEncoder().encode(report))
        #expect(Set(json.allKeys as! [String]) == ["cluster", "node", "term", "coordinator", "quorum", "maintenance", "nodes", "service", "constraints"])
        #expect(json["coordinator"] is NSNull)
        let service = try #require(json["service"] as? NSDictionary)
        #expect(Set(service.allKeys as! [String]) == ["name", "state", "node", "enabled", "failures"])
        #expect(service["node"] is NSNull)
        #expect(service["state"] as? String == "blocked")
        let constraint = try #require((json["constraints"] as? [NSDictionary])?.first)
        #expect(Set(constraint.allKeys as! [String]) == ["kind", "node", "expires"])
        #expect(constraint["expires"] is NSNull)
        let quorum = try #require(json["quorum"] as? NSDictionary)
        #expect(Set(quorum.allKeys as! [String]) == ["quorate", "votes", "expected"])
        let node = try #require((json["nodes"] as? [NSDictionary])?.first)
        #expect(Set(node.allKeys as! [String]) == ["name", "state", "role"])
    }

    @Test("value vocabularies are exactly the spec's")
    func vocabularies() {
        #expect(StatusReport.NodeState.allCases.map(\.rawValue) == ["online", "offline", "standby", "unclean", "fenced"])
        #expect(StatusReport.ServiceState.allCases.map(\.rawValue) == ["started", "starting", "stopping", "stopped", "failed", "blocked"])
        #expect(StatusReport.NodeRole.allCases.map(\.rawValue) == ["active", "standby", "witness"])
    }

    @Test("an unknown node state is refused when decoding")
    func unknownState() {
        let json = StatusReportFixtures.specJSON.replacingOccurrences(of: #""state":"online","role":"active""#, with: #""state":"sleepy","role":"active""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StatusReport.self, from: Data(json.utf8)) }
    }

    @Test("extensions travel and keep their snake_case keys")
    func extensionsRoundTrip() throws {
        let data = try ControlProtocol.makeEncoder().encode(StatusReportFixtures.full)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""last_failover":{"#))
        #expect(text.contains(#""last_seen":"2026-11-21T09:45:00Z""#))
        #expect(text.contains(#""last_heard_ms":120"#))
        #expect(try JSONDecoder().decode(StatusReport.self, from: data) == StatusReportFixtures.full)
    }

    @Test("times are ISO-8601 UTC with second precision")
    func timestamps() throws {
        let time = try #require(UTCTimestamp(iso8601: "2026-11-21T10:00:00Z"))
        #expect(time.secondsSinceEpoch == 1_795_255_200)
        #expect(time.iso8601 == "2026-11-21T10:00:00Z")
        #expect(UTCTimestamp(secondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(UTCTimestamp(iso8601: "2026-11-21T10:00:00.750Z")?.iso8601 == "2026-11-21T10:00:00Z")
        #expect(UTCTimestamp(iso8601: "2026-11-21T10:00:00+00:00")?.iso8601 == "2026-11-21T10:00:00Z")
        #expect(UTCTimestamp(iso8601: "2024-02-29T23:59:59Z")?.secondsSinceEpoch == 1_709_251_199)
        #expect(UTCTimestamp(iso8601: "yesterday") == nil)
        #expect(UTCTimestamp(iso8601: "2026-11-21T10:00:00") == nil, "a time without zone is refused")
        #expect(UTCTimestamp(iso8601: "2026-11-21T10:00:00+02:00") == nil, "only UTC")
        #expect(UTCTimestamp(iso8601: "2026-13-21T10:00:00Z") == nil)
    }

    @Test("the human status shows everything an operator needs on one screen")
    func rendering() {
        let text = StatusRenderer(now: StatusReportFixtures.now).render(StatusReportFixtures.full)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Cluster dss_cluster: quorate, 2/3 votes, coordinator dss2, term 8 (as seen from dss2)")
        #expect(lines[1] == "Last updated: 2026-11-21T09:50:02Z by dss2")
        #expect(lines[2].hasPrefix("MAINTENANCE MODE"))
        #expect(text.contains("  dss1  UNCLEAN   standby   unknown  priority 100, last seen 5min 2s ago\n"))
        #expect(text.contains("  dss2  online    active    0.9.0    this node, coordinator, priority 50\n"))
        #expect(text.contains("  dss3  online    witness   0.9.0    heard 120ms ago\n"))
        #expect(text.contains("Service dataiku: started on dss2 since 2026-11-21T09:45:10Z (4min 52s ago), enabled\n"))
        #expect(text.contains("  health:   healthy (unit active, HTTP 200), checked 3s ago\n"))
        #expect(text.contains("  failures: dss1 2, dss2 0 (hactl cleanup forgets them)\n"))
        #expect(text.contains("  ban     dss1  expires 2026-11-21T10:00:00Z (in 9min 58s)\n"))
        #expect(text.contains("  prefer  dss2  until hactl clear dss2\n"))
        #expect(text.contains("  ipmi-dss1  fence_ipmilan, level 1, for dss1: ok (checked 2min ago)\n"))
        #expect(text.contains("  pdu        fence_apc, level 2, for dss1, dss2: FAILING since 10min ago: connection refused\n"))
        #expect(text.contains("Last failover: from dss1 to dss2 at 2026-11-21T09:45:01Z (5min 1s ago), dss1 failed (not heard from for 1s); took 8952ms\n"))
        #expect(text.contains("  lease 1s -> fence 6.2s -> lock 12ms -> ip 40ms -> start 1.7s\n"))
        #expect(lines.count < 30, "one screen")
    }

    /// The total is the monotonic span (`milliseconds`), not whole seconds of wall clock: a
    /// failover inside one second no longer "took 0ms". A report without it (an older
    /// daemon) says so with "about".
    @Test func theFailoverTotalIsExact() {
        var report = StatusReportFixtures.full
        report.lastFailover?.started = UTCTimestamp(iso8601: "2026-11-21T09:45:01Z")!
        report.lastFailover?.finished = UTCTimestamp(iso8601: "2026-11-21T09:45:01Z")
        report.lastFailover?.milliseconds = 427
        #expect(StatusRenderer(now: StatusReportFixtures.now).render(report).contains("; took 427ms\n"))
        report.lastFailover?.milliseconds = nil
        #expect(StatusRenderer(now: StatusReportFixtures.now).render(report).contains("; took less than 1s\n"))
        let json = String(decoding: try! JSONEncoder().encode(StatusReportFixtures.full.lastFailover), as: UTF8.self)
        #expect(json.contains(#""milliseconds":8952"#), "\(json)")
    }

    @Test("no quorum, no coordinator, a blocked disabled service and an expired ban read clearly")
    func renderingTrouble() {
        var report = StatusReportFixtures.spec
        report.quorum = .init(quorate: false, votes: 1, expected: 3)
        report.coordinator = nil
        report.service = .init(name: "dataiku", state: .blocked, node: nil, enabled: false, failures: [:], reason: "no quorum")
        let text = StatusRenderer(now: UTCTimestamp(iso8601: "2026-11-21T10:00:05Z")!).render(report)
        #expect(text.hasPrefix("Cluster dss_cluster: NO QUORUM, 1/3 votes (needs 2), no coordinator, term 7"))
        #expect(text.contains("Service dataiku: BLOCKED, DISABLED (hactl enable)\n  reason:   no quorum\n"))
        #expect(text.contains("expired 2026-11-21T10:00:00Z (being removed)"))
    }

    @Test("durations: the spec's units, and 10m refused with a hint")
    func durations() throws {
        #expect(try DurationText.parse("10min") == .seconds(600))
        #expect(try DurationText.parse("600S") == .seconds(600))
        #expect(try DurationText.parse("200ms") == .milliseconds(200))
        #expect(try DurationText.parse("2h") == .seconds(7200))
        #expect(try DurationText.parse("1d") == .seconds(86400))
        #expect(try DurationText.parse("45") == .seconds(45))
        #expect(try DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(throws: DurationText.ParseError.ambiguousUnit("10m")) { try DurationText.parse("10m") }
        #expect(throws: DurationText.ParseError.ambiguousUnit("3months")) { try DurationText.parse("3months") }
        #expect(throws: DurationText.ParseError.notPositive("0s")) { try DurationText.parse("0s") }
        #expect(throws: DurationText.ParseError.unknownUnit(text: "5 weeks", unit: "weeks")) { try DurationText.parse("5 weeks") }
        #expect(throws: DurationText.ParseError.notANumber("soon")) { try DurationText.parse("soon") }
        #expect("\(DurationText.ParseError.ambiguousUnit("10m"))".contains("10min"))
        #expect(DurationText.format(.seconds(598)) == "9min 58s")
        #expect(DurationText.format(.milliseconds(350)) == "350ms")
        #expect(DurationText.format(.seconds(90000)) == "1d 1h")
    }
}
