import ClusterCore
import ClusterSimulation
import Testing

/// The CI budget of the deterministic simulation: 2,000 seeds × 500 steps with
/// faults, split in slices that run in parallel. A failure names the seed and
/// the command that replays it.
@Suite("Simulation")
struct SimulationTests {
    static let seedsPerSlice: UInt64 = 500
    static let slices: [UInt64] = [0, 1, 2, 3]

    @Test("2,000 seeds × 500 steps with faults: no safety or liveness violation", arguments: slices)
    func ciSeeds(slice: UInt64) {
        let options = SimulationOptions(steps: 500)
        let first = 1 + slice * Self.seedsPerSlice
        var shapes: Set<String> = []
        var mixes: Set<String> = []
        var elections = 0
        var crashes = 0
        for seed in first..<(first + Self.seedsPerSlice) {
            let result = Simulation(seed: seed, options: options).run()
            shapes.insert(result.shape.description)
            mixes.insert(result.faults.name)
            elections += result.elections
            crashes += result.crashes
            if let violation = result.violation {
                Issue.record("seed \(seed) (\(result.shape)): \(violation)\nreplay: \(result.replayCommand(options: options))")
                return
            }
            #expect(result.steps == 500)
            #expect(result.livenessRecovery != nil, "seed \(seed): liveness phase did not finish")
        }
        // The seeds really exercise the shapes and the faults.
        #expect(shapes.count >= 6)
        #expect(mixes == ["uniform", "swarm", "flaky-network", "restarts-and-one-way-links", "stalls", "power-losses"])
        #expect(elections > Int(Self.seedsPerSlice))
        #expect(crashes > Int(Self.seedsPerSlice))
    }

    @Test("one seed decides everything: a replay is identical")
    func deterministic() {
        let options = SimulationOptions(steps: 300, trace: true)
        let first = Simulation(seed: 4242, options: options).run()
        let second = Simulation(seed: 4242, options: options).run()
        #expect(first.trace == second.trace)
        #expect(first.events == second.events)
        #expect(!first.trace.isEmpty)
        let other = Simulation(seed: 4243, options: options).run()
        #expect(other.trace != first.trace)
    }

    /// Found by the 100,000-seed soak (base fault mix, before the deaf-to-leader fault existed,
    /// seed 73696): a leader paused 373 ms while acknowledgements waited in its socket. On resume
    /// the core counts them (each vouches for the real send time of its heartbeat), so its lease
    /// is longer than the checker's ground truth was when it ignored acknowledgements that
    /// arrived during a pause; the checker reported a false property-4 violation. Any change of
    /// timing (the election jitter, ticking at deadlines) gives every seed a new schedule, so the
    /// test looks for the scenario by what happens in it (the simulation notes a leader that
    /// resumes with acknowledgements waiting): the first such seed from 1 on, with at least 3
    /// waiting. Since a resumed process first takes a tick, then drains its socket, a checker
    /// that ignores those acknowledgements no longer reports this (no violation in tens of
    /// thousands of seeds of this mix with pauses five times as frequent): the test keeps the
    /// scenario in the suite and requires it to stay free of violations.
    @Test("acknowledgements that arrive while the leader is paused count for its lease")
    func pausedLeaderCountsWaitingAcks() throws {
        let baseMixBefore = FaultProfile.uniform.scaled("uniform", networkFaults: [.heal, .partition, .asymmetric, .isolate, .lossyPath, .lossy])
        let options = SimulationOptions(steps: 500, trace: true, faultProfile: baseMixBefore)
        func waiting(_ line: String) -> Int? {
            guard let range = line.firstRange(of: " resumes as leader with ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        let found = (UInt64(1)...3_000).lazy
            .map { Simulation(seed: $0, options: options).run() }
            .first { $0.trace.contains { (waiting($0) ?? 0) >= 3 } }
        let result = try #require(found, "no seed up to 3,000 has a leader resuming with 3 or more acknowledgements waiting")
        #expect(result.violation == nil, "seed \(result.seed): \(result.violation.map { "\($0)" } ?? "")")
    }

    /// Found by the 100,000-seed soak (seeds 65377, then 50228 once ticks came at deadlines): a
    /// leader decides to fence the previous holder, which it has not heard release; the holder
    /// had released and is leaving; the leader loses quorum and releases, but the fence it
    /// started runs on (FenceCoordinator never abandons an agent half-way) and lands after the
    /// holder's clean exit. Property 6 counts that fence instead of reporting it; a fence decided
    /// after the clean exit is still a violation (the `leave-record` mutation shows it).
    @Test("a fence decided before a node's leave was complete may land after its clean exit (seed 50228)")
    func fenceDecidedBeforeLeave() {
        let result = Simulation(seed: 50228, options: SimulationOptions(steps: 500, trace: true)).run()
        #expect(result.trace.contains { $0.hasSuffix("n2's fence of n3, decided before its leave was complete, lands after its clean exit") },
                "the scenario is gone from this seed: `hasim run --seeds 100000` lists the seeds that have it")
        #expect(result.fencesAfterCleanLeave == 1)
        #expect(result.violation == nil, "\(result.violation.map { "\($0)" } ?? "")")
    }

    @Test("the replay command names the seed and the options")
    func replayCommand() {
        let options = SimulationOptions(steps: 700, mutations: [.skipLeaseWait])
        let result = Simulation(seed: 17, options: SimulationOptions(steps: 10)).run()
        #expect(result.replayCommand(options: options) == "swift run hasim replay --seed 17 --steps 700 --mutation lease-wait --trace")
    }
}
