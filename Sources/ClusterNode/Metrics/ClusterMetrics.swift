import ClusterCore
import CoreMetrics
import Prometheus
import Synchronization

/// The daemon's Prometheus metrics, through swift-metrics with swift-prometheus's factory and a
/// registry of its own (`[metrics] listen`; `MetricsEndpoint` serves `render()`).
///
/// Two sources:
/// - at each scrape, the node's `hactl status` report (`update(from:)`): gauges of the role,
///   term, quorum, coordinator and holder, nodes, links, the service and its health, failure
///   counts, fence devices, and the wire's counters (counted as increments since the last scrape),
///   and each managed unit's state as systemd reports it (`update(units:)`);
/// - every event as it is published (`observe(_:)`): counts per kind, failovers per cause, each
///   takeover step's duration and fencing's, fence attempts per device, and (`countRequest`)
///   the control requests;
/// - the runtime's samples (`observe(_: RuntimeSample)`): heartbeat round trips per peer (on
///   the coordinator, which sends the heartbeats) and how late each tick of the loop came.
///
/// Names start with `haclusterd_`, in base units (`_seconds`), counters end in `_total`.
final class ClusterMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let lastWire = Mutex<StatusReport.Wire?>(nil)
    /// Label values seen, so a gauge of a state no longer current goes back to 0.
    private let seenNodes = Mutex<Set<String>>([])

    static let stepBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Round trips and loop lateness: from a tenth of a millisecond (loopback) up.
    static let fastBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.stepBuckets
        factory.durationHistogramBuckets = [
            "haclusterd_heartbeat_rtt_seconds": Self.fastBuckets, "haclusterd_event_loop_lag_seconds": Self.fastBuckets,
        ]
        self.factory = factory
    }

    /// The Prometheus text format of every metric.
    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        return buffer
    }

    private func gauge(_ name: String, _ value: Double, _ labels: [(String, String)] = []) {
        Gauge(label: name, dimensions: labels, factory: factory).record(value)
    }

    private func flag(_ value: Bool) -> Double { value ? 1 : 0 }

    // MARK: - From the status report, at each scrape

    func update(from report: StatusReport) {
        gauge("haclusterd_term", Double(report.term))
        gauge("haclusterd_coordinator", flag(report.coordinator == report.node))
        gauge("haclusterd_quorate", flag(report.quorum.quorate))
        gauge("haclusterd_quorum_votes", Double(report.quorum.votes))
        gauge("haclusterd_quorum_expected_votes", Double(report.quorum.expected))
        gauge("haclusterd_maintenance", flag(report.maintenance))
        gauge("haclusterd_service_enabled", flag(report.service.enabled))
        let nodes = seenNodes.withLock { seen in
            seen.formUnion(report.nodes.map(\.name))
            return seen.sorted()
        }
        for node in nodes {
            let state = report.nodes.first { $0.name == node }
            gauge("haclusterd_coordinator_node", flag(report.coordinator == node), [("node", node)])
            gauge("haclusterd_holder_node", flag(report.service.node == node && report.service.state == .started), [("node", node)])
            gauge("haclusterd_node_online", flag(state?.state == .online), [("node", node)])
            for value in StatusReport.NodeState.allCases {
                gauge("haclusterd_node_state", flag(state?.state == value), [("node", node), ("state", value.rawValue)])
            }
        }
        for state in StatusReport.ServiceState.allCases {
            gauge("haclusterd_service_state", flag(report.service.state == state), [("state", state.rawValue)])
        }
        for (node, count) in report.service.failures {
            gauge("haclusterd_service_failures", Double(count), [("node", node)])
        }
        for state in StatusReport.Health.State.allCases {
            gauge("haclusterd_service_health", flag(report.service.health?.state == state), [("state", state.rawValue)])
        }
        let links = report.links ?? []
        for link in Set(links.map(\.link)).sorted() {
            let alive = links.filter { $0.link == link && $0.state == .up }.count
            gauge("haclusterd_peers_alive", Double(alive), [("link", "\(link)")])
        }
        for link in links {
            if let heard = link.lastHeardMilliseconds {
                gauge("haclusterd_link_last_heard_seconds", Double(heard) / 1000, [("node", link.node), ("link", "\(link.link)")])
            }
        }
        for device in report.fencing?.devices ?? [] {
            for state in StatusReport.FenceDevice.State.allCases {
                gauge("haclusterd_fence_device_state", flag(device.state == state), [("device", device.name), ("state", state.rawValue)])
            }
        }
        if let milliseconds = report.lastFailover?.milliseconds {
            gauge("haclusterd_last_failover_seconds", Double(milliseconds) / 1000)
        }
        if let wire = report.wire { countWire(wire) }
    }

    /// The unit states systemd reports, `haclusterd_unit_state{unit,state}` (1 for the current
    /// one; `unknown` when the bus did not answer).
    static let unitStates = ["active", "reloading", "inactive", "failed", "activating", "deactivating", "unknown"]

    func update(units: [String: String]) {
        for (unit, current) in units {
            for state in Set(Self.unitStates + [current]).sorted() {
                gauge("haclusterd_unit_state", flag(state == current), [("unit", unit), ("state", state)])
            }
        }
    }

    /// The wire's counters since the daemon started, as increments since the last scrape.
    private func countWire(_ wire: StatusReport.Wire) {
        let before = lastWire.withLock { last in
            defer { last = wire }
            // A new run (a restart would be a new process; a reload keeps its counters) starts from zero.
            return last?.incarnation == wire.incarnation ? last : nil
        }
        func add(_ name: String, _ now: UInt64, _ then: UInt64?, _ labels: [(String, String)] = []) {
            let counter = Counter(label: name, dimensions: labels, factory: factory)
            let delta = now >= (then ?? 0) ? now - (then ?? 0) : now
            if delta > 0 { counter.increment(by: Int64(clamping: delta)) }
        }
        add("haclusterd_wire_datagrams_sealed_total", wire.sealed, before?.sealed)
        add("haclusterd_wire_datagrams_accepted_total", wire.accepted, before?.accepted)
        add("haclusterd_wire_inbound_dropped_total", wire.inboundDropped, before?.inboundDropped)
        for (reason, count) in wire.rejected {
            add("haclusterd_wire_datagrams_rejected_total", count, before?.rejected[reason], [("reason", reason)])
        }
    }

    // MARK: - From the events, as they happen

    func observe(_ event: ClusterEvent) {
        Counter(label: "haclusterd_events_total", dimensions: [("kind", event.kind)], factory: factory).increment()
        switch EventKind(rawValue: event.kind) {
        case .serviceTakeover?:
            // The core says "...; fencing dss1 first" when a node failed (ClusterMetricsTests pins it).
            let cause = event.message.contains("; fencing ") ? "failure" : "handover"
            Counter(label: "haclusterd_failovers_total", dimensions: [("cause", cause)], factory: factory).increment()
        case .serviceRestart?:
            Counter(label: "haclusterd_failovers_total", dimensions: [("cause", "restart")], factory: factory).increment()
        case .fenceAttemptSucceeded?, .fenceAttemptFailed?:
            let result = event.kind == EventKind.fenceAttemptSucceeded.rawValue ? "succeeded" : "failed"
            Counter(label: "haclusterd_fence_attempts_total", dimensions: [("device", event.device ?? ""), ("result", result)], factory: factory)
                .increment()
        case .fenceSucceeded?, .fenceFailed?:
            let result = event.kind == EventKind.fenceSucceeded.rawValue ? "succeeded" : "failed"
            Counter(label: "haclusterd_fences_total", dimensions: [("result", result)], factory: factory).increment()
            if let milliseconds = event.durationMilliseconds {
                Timer(label: "haclusterd_fence_seconds", dimensions: [("result", result)], factory: factory)
                    .recordMilliseconds(milliseconds)
            }
        default:
            break
        }
        if event.kind.hasPrefix("takeover."), let milliseconds = event.durationMilliseconds {
            let step = String(event.kind.dropFirst("takeover.".count))
            Timer(label: "haclusterd_takeover_step_seconds", dimensions: [("step", step)], factory: factory)
                .recordMilliseconds(milliseconds)
        }
    }

    /// Heartbeat round trips (on the coordinator, per peer) and the event loop's lateness.
    func observe(_ sample: RuntimeSample) {
        switch sample {
        case let .heartbeatRoundTrip(peer, duration):
            Timer(label: "haclusterd_heartbeat_rtt_seconds", dimensions: [("node", peer)], factory: factory)
                .recordNanoseconds(duration.nanoseconds)
        case let .loopLag(duration):
            Timer(label: "haclusterd_event_loop_lag_seconds", factory: factory).recordNanoseconds(duration.nanoseconds)
        }
    }

    /// One control request answered: `verb` its type (`status`, `admin`, ...), `result` `ok` or the error code.
    func countRequest(verb: String, result: String) {
        Counter(label: "haclusterd_control_requests_total", dimensions: [("verb", verb), ("result", result)], factory: factory).increment()
    }
}
