@testable import ClusterNode
import ControlTestSupport
import CoreTestSupport
import Foundation
import NIOPosix
import Testing
@testable import ClusterCore

/// The Prometheus metrics: filled from a status report and from events, rendered, then read
/// back by a real Prometheus text parser (Python's `prometheus_client`, Debian's
/// python3-prometheus-client), and served over real HTTP by `MetricsEndpoint`.
@Suite struct ClusterMetricsTests {
    static let python = "/usr/bin/python3"

    /// `name{label="v",...} value` for every sample, as the parser read them, sorted.
    static func parse(_ text: String) throws -> [String: Double] {
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                    print(f"{s.name}{{{labels}}} {s.value!r}")
            """
        let result = try runProcess([python, "-c", script], input: text)
        guard result.status == 0 else { throw ParseFailure(message: result.stderr) }
        var samples: [String: Double] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            samples[String(parts[0])] = Double(parts[1])
        }
        return samples
    }

    struct ParseFailure: Error { var message: String }

    @Test func theReportAndTheEventsBecomeMetricsAPrometheusParserReads() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "python3 and python3-prometheus-client are needed: scripts/packages/test.list")
        let metrics = ClusterMetrics()
        var report = StatusReportFixtures.full
        report.wire = StatusReport.Wire(incarnation: 3, sealed: 100, accepted: 90, rejected: ["replayed": 4], inboundDropped: 0)
        metrics.update(from: report)
        metrics.observe(ClusterEvent(time: 1, node: "dss2", kind: .serviceTakeover, message: "taking over the service (term 8); fencing dss1 first"))
        metrics.observe(ClusterEvent(time: 1, node: "dss2", kind: .serviceTakeover, message: "taking over the service (term 9)"))
        metrics.observe(ClusterEvent(time: 1, node: "dss2", kind: .takeoverFence, message: "fenced", durationMilliseconds: 6200))
        metrics.observe(ClusterEvent(time: 1, node: "dss2", kind: .takeoverStart, message: "started", durationMilliseconds: 70))
        metrics.observe(ClusterEvent(time: 1, node: "dss2", kind: .fenceSucceeded, message: "dss1 fenced", durationMilliseconds: 6100))
        metrics.observe(ClusterEvent(time: 1, node: "dss2", kind: .fenceAttemptFailed, message: "attempt 1: timed out", device: "ipmi-dss1"))
        metrics.observe(ClusterEvent(time: 1, node: "dss2", kind: .fenceAttemptSucceeded, message: "off dss1 succeeded", device: "pdu"))
        metrics.observe(.heartbeatRoundTrip(peer: "dss3", .microseconds(300)))
        metrics.observe(.heartbeatRoundTrip(peer: "dss3", .milliseconds(2)))
        metrics.observe(.loopLag(.microseconds(80)))
        metrics.update(units: ["dataiku.service": "active", "nginx.service": "failed"])
        metrics.countRequest(verb: "status", result: "ok")
        metrics.countRequest(verb: "admin", result: "no_quorum")
        // A second scrape: counters grow by what the wire counted since.
        report.wire?.sealed = 130
        report.wire?.rejected["replayed"] = 5
        metrics.update(from: report)

        let text = String(decoding: metrics.render(), as: UTF8.self)
        let samples = try Self.parse(text)
        func value(_ key: String) -> Double? { samples[key] }
        #expect(value("haclusterd_term{}") == 8)
        #expect(value("haclusterd_coordinator{}") == 1, "dss2 answered and is the coordinator")
        #expect(value("haclusterd_quorate{}") == 1)
        #expect(value("haclusterd_quorum_votes{}") == 2 && value("haclusterd_quorum_expected_votes{}") == 3)
        #expect(value("haclusterd_holder_node{node=\"dss2\"}") == 1 && value("haclusterd_holder_node{node=\"dss1\"}") == 0)
        #expect(value("haclusterd_node_state{node=\"dss1\",state=\"unclean\"}") == 1)
        #expect(value("haclusterd_node_online{node=\"dss1\"}") == 0)
        #expect(value("haclusterd_service_state{state=\"started\"}") == 1 && value("haclusterd_service_state{state=\"failed\"}") == 0)
        #expect(value("haclusterd_service_failures{node=\"dss1\"}") == 2)
        #expect(value("haclusterd_service_health{state=\"healthy\"}") == 1)
        #expect(value("haclusterd_fence_device_state{device=\"pdu\",state=\"failing\"}") == 1)
        #expect(value("haclusterd_peers_alive{link=\"0\"}") == 1, "dss3 up on link 0, dss1 down")
        #expect(value("haclusterd_failovers_total{cause=\"failure\"}") == 1 && value("haclusterd_failovers_total{cause=\"handover\"}") == 1)
        #expect(value("haclusterd_takeover_step_seconds_count{step=\"fence\"}") == 1)
        #expect(value("haclusterd_takeover_step_seconds_sum{step=\"fence\"}") == 6.2)
        #expect(value("haclusterd_fence_seconds_count{result=\"succeeded\"}") == 1)
        #expect(value("haclusterd_events_total{kind=\"service.takeover\"}") == 2)
        #expect(value("haclusterd_fence_attempts_total{device=\"ipmi-dss1\",result=\"failed\"}") == 1)
        #expect(value("haclusterd_fence_attempts_total{device=\"pdu\",result=\"succeeded\"}") == 1)
        #expect(value("haclusterd_heartbeat_rtt_seconds_count{node=\"dss3\"}") == 2)
        #expect(value("haclusterd_heartbeat_rtt_seconds_bucket{le=\"0.0005\",node=\"dss3\"}") == 1, "300 µs in the 0.5 ms bucket, 2 ms above")
        #expect(value("haclusterd_event_loop_lag_seconds_count{}") == 1)
        #expect(value("haclusterd_unit_state{state=\"active\",unit=\"dataiku.service\"}") == 1)
        #expect(value("haclusterd_unit_state{state=\"failed\",unit=\"dataiku.service\"}") == 0)
        #expect(value("haclusterd_unit_state{state=\"failed\",unit=\"nginx.service\"}") == 1)
        #expect(value("haclusterd_control_requests_total{result=\"no_quorum\",verb=\"admin\"}") == 1)
        #expect(value("haclusterd_wire_datagrams_sealed_total{}") == 130)
        #expect(value("haclusterd_wire_datagrams_rejected_total{reason=\"replayed\"}") == 5)
        #expect(value("haclusterd_last_failover_seconds{}") == 8.952)
        #expect(text.contains("# TYPE haclusterd_failovers_total counter"), "counters are typed")
        #expect(samples.keys.allSatisfy { $0.hasPrefix("haclusterd_") }, "every name has the prefix")
    }

    @Test func theEndpointAnswersGetMetricsOverHTTPAndRefusesTheRest() async throws {
        let metrics = ClusterMetrics()
        metrics.update(from: StatusReportFixtures.full)
        let port = UInt16(LoopbackCluster.freePort())
        let endpoint = try await MetricsEndpoint.start(MetricsConfig(host: "127.0.0.1", port: port), group: MultiThreadedEventLoopGroup.singleton) {
            metrics.render()
        }
        defer { endpoint.close() }
        let ok = try runProcess(["/usr/bin/curl", "-sS", "-i", "http://127.0.0.1:\(port)/metrics"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("HTTP/1.1 200 OK"))
        #expect(ok.stdout.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(ok.stdout.contains("haclusterd_term 8"))
        let missing = try runProcess(["/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/"])
        #expect(missing.stdout == "404")
        let post = try runProcess(["/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://127.0.0.1:\(port)/metrics"])
        #expect(post.stdout == "405")
    }

    @Test func listenIsAnAddressAndAPort() {
        #expect(MetricsConfig.parse("127.0.0.1:9664") == MetricsConfig(host: "127.0.0.1", port: 9664))
        #expect(MetricsConfig.parse("[::1]:9664") == MetricsConfig(host: "::1", port: 9664))
        #expect(MetricsConfig.parse("[::1]:9664")?.endpoint == "[::1]:9664")
        for bad in ["localhost:9664", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:9664", "127.0.0.1:96x4", ":9664", "224.0.0.1:9664"] {
            #expect(MetricsConfig.parse(bad) == nil, "\(bad)")
        }
    }
}
