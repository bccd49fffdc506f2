@testable import ClusterCore
import Testing

/// A service that fails while running is restarted in place (lock and addresses kept: no
/// release, no new takeover) until `migration_threshold` failures, then released and moved;
/// a restart (or any takeover) whose own start fails (a unit's start, the health wait) makes
/// the node ineligible at once and the service moves (Pacemaker's `start-failure-is-fatal`).
/// A failed infrastructure step (lock, address) is retried.
@Suite("Start failures")
struct StartFailureTests {
    /// n1 runs the service; it fails (health), is released and restarted in place; the
    /// restart's takeover is then answered with `report(term)`. Returns the harness after 5 s.
    static func failedRestart(_ report: (Term) -> ResourceReport) throws -> ScenarioHarness {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        try #require(cluster["n1"].service == .holding(term: cluster["n1"].persistent.term))
        cluster.autoResources = false
        let actions = cluster.step("n1", .report(.serviceFailed(reason: "health check failing: HTTP 503")))
        #expect(actions.contains { if case .restart = $0 { true } else { false } }, "restart in place: \(actions)")
        #expect(!actions.contains { if case .release = $0 { true } else { false } }, "no release for a restart in place")
        cluster.advance(by: .milliseconds(100))
        guard case let .takingOver(term) = cluster["n1"].service else {
            Issue.record("expected a restart in place on n1 (1 failure < migration_threshold), got \(cluster["n1"].service)")
            return cluster
        }
        cluster.step("n1", .report(report(term)))
        cluster.autoResources = true
        cluster.advance(by: .seconds(5))
        return cluster
    }

    static func holder(_ cluster: ScenarioHarness) -> String? {
        cluster.nodes.keys.sorted().first { if case .holding = cluster[$0].service { true } else { false } }
    }

    @Test("a restart whose health wait fails moves the service to another node")
    func startFailureMoves() throws {
        let cluster = try Self.failedRestart { .startFailed(term: $0, reason: "healthy failed: HTTP 503") }
        let threshold = cluster.config.service.migrationThreshold
        #expect(cluster["n1"].persistent.admin.failureCount(of: "n1", at: cluster.wallClock, expiry: cluster.config.service.failureExpiry) >= threshold)
        let holder = Self.holder(cluster)
        #expect(holder != nil && holder != "n1", "the service runs on \(holder ?? "no node")")
    }

    @Test("failures below migration_threshold restart in place; the one that reaches it releases and moves")
    func restartsThenMoves() throws {
        var cluster = ScenarioHarness(nodes: 3)
        cluster.elect("n1")
        let term = cluster["n1"].persistent.term
        for failure in 1...2 {
            let actions = cluster.step("n1", .report(.serviceFailed(reason: "unit demo.service failed")))
            #expect(actions.contains(.restart(term: term)), "failure \(failure): \(actions)")
            cluster.advance(by: .milliseconds(200))
            #expect(cluster["n1"].service == .holding(term: term), "failure \(failure): restarted, same term")
        }
        let third = cluster.step("n1", .report(.serviceFailed(reason: "unit demo.service failed")))
        #expect(third.contains { if case .release(.serviceFailed) = $0 { true } else { false } }, "\(third)")
        cluster.advance(by: .seconds(5))
        let holder = Self.holder(cluster)
        #expect(holder != nil && holder != "n1", "the service runs on \(holder ?? "no node")")
    }

    @Test("a failed lock or address step is counted once and retried on the same node")
    func infrastructureFailureRetries() throws {
        let cluster = try Self.failedRestart { .takeoverFailed(term: $0, reason: "lock failed: timed out") }
        #expect(cluster["n1"].persistent.admin.failureCount(of: "n1", at: cluster.wallClock, expiry: cluster.config.service.failureExpiry) == 2)
        #expect(Self.holder(cluster) == "n1")
    }
}
