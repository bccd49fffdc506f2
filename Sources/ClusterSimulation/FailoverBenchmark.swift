import ClusterCore

/// Simulated time from the crash of the leader running the service to the
/// `takeover` action of the new leader, at default timings, without faults
/// other than that crash (network delays 0.2-3ms).
public struct FailoverBenchmark: Sendable {
    public var shape: ClusterShape
    public var nodes: Int { shape.nodes }

    public struct Outcome: Sendable {
        public var samples: [Duration]
        public var failures: Int
        public var timings: ElectionTimings
        /// Set for the storage shape: the crashed node is fenced once silent on storage this long.
        public var storageTimeout: Duration?

        public var median: Duration? { samples.isEmpty ? nil : samples[samples.count / 2] }
        public var p99: Duration? { samples.isEmpty ? nil : samples[min(samples.count - 1, samples.count * 99 / 100)] }

        public var report: String {
            let target = timings.failureTimeout + timings.heartbeatInterval * 2
            guard let median, let p99 else { return "no samples (\(failures) runs without a failover)" }
            let head = """
            failover (leader crash → new leader's takeover action), \(samples.count) seeds, heartbeat \(timings.heartbeatInterval), failure_timeout \(timings.failureTimeout)\(storageTimeout.map { ", storage tie-breaker, storage_timeout \($0)" } ?? "")
              median \(Self.ms(median)) ms, p99 \(Self.ms(p99)) ms, min \(Self.ms(samples.first!)) ms, max \(Self.ms(samples.last!)) ms
            """
            let missed = failures > 0 ? "; \(failures) runs without a failover" : ""
            if let storageTimeout {
                // Silent on storage after storage_timeout (the disk read that shows it comes up to a
                // heartbeat later), then the fence (0.1-1.5 s here, no race delay), then the takeover action.
                return head + "\n  expected when the first fence works (a simulated fence agent fails 5 % of its runs): storage_timeout + ≤ 1 heartbeat + the fence (0.1-1.5 s) = \(Self.ms(storageTimeout + .milliseconds(100))) to \(Self.ms(storageTimeout + timings.heartbeatInterval + .milliseconds(1500))) ms\(missed)"
            }
            return head + "\n  target median ≤ failure_timeout + 2 × heartbeat = \(Self.ms(target)) ms: \(median <= target ? "met" : "NOT met")\(missed)"
        }

        static func ms(_ duration: Duration) -> String {
            String(Double(duration.nanoseconds) / 1e6)
        }
    }

    public init(nodes: Int = 3) { self.shape = ClusterShape(nodes: nodes) }

    /// Any shape; with the storage tie-breaker the survivor fences the crashed node once its
    /// disk heartbeat is silent for storage_timeout, then takes over.
    public init(shape: ClusterShape) { self.shape = shape }

    public func run(seeds: ClosedRange<UInt64>) -> Outcome {
        var samples: [Duration] = []
        var failures = 0
        var timings: ElectionTimings?
        var storageTimeout: Duration?
        for seed in seeds {
            let options = SimulationOptions(steps: 0, faults: false, adminCommands: false, livenessPhase: false, shape: shape)
            let simulation = Simulation(seed: seed, options: options)
            timings = simulation.timings
            if shape.usesStorage { storageTimeout = simulation.config.storageTimeout }
            if let sample = simulation.measureFailover() { samples.append(sample) } else { failures += 1 }
        }
        samples.sort()
        return Outcome(samples: samples, failures: failures, timings: timings ?? ElectionTimings(ClusterSettings(name: "bench")), storageTimeout: storageTimeout)
    }
}

extension Simulation {
    /// Runs until the service is up, crashes its node at a random moment, and
    /// measures until another node's takeover action.
    func measureFailover() -> Duration? {
        let step: UInt64 = 10_000_000
        let limit: UInt64 = 30_000_000_000
        while !serviceRunsOnLeader(), now < limit { runEvents(until: now + step) }
        guard let holder = nodes.firstIndex(where: { $0.holding }) else { return nil }
        // Crash at a random point between heartbeats.
        runEvents(until: now + 1_000_000_000 + random.next(upperBound: 1_000_000_000))
        guard nodes[holder].holding else { return nil }
        let crashedAt = now
        crash(holder, restartAfter: 1_000_000_000_000)
        let name = nodes[holder].name
        while now < crashedAt + limit {
            runEvents(until: now + 1_000_000)
            if let taken = lastTakeover.first(where: { $0.key != name && $0.value >= crashedAt }) {
                return .nanoseconds(Int64(taken.value - crashedAt))
            }
        }
        return nil
    }
}
