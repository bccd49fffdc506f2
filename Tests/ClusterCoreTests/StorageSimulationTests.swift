import ClusterCore
import ClusterSimulation
import Testing

/// The storage fault domain of the simulation (`ClusterShape.storageTieBreaker`): simulated
/// disk-heartbeat cycles, storage faults, and the two checks that go with them (properties 7
/// and 8). Each check is shown to hold for the real core and to fail when the mechanism it
/// guards is broken (an `ElectionMutations` switch).
@Suite("Simulation: storage tie-breaker")
struct StorageSimulationTests {
    /// Only storage episodes of the given kinds (one every `every` on average), no other fault:
    /// no crash, restart, pause, network change, unit failure or planned stop.
    static func storageOnly(_ kinds: [StorageFault], name: String, every: Duration = .seconds(2)) -> FaultProfile {
        FaultProfile(
            name: name, crash: 0, quickRestart: 0, restartAfterAck: 0, pause: 0, networkChange: 0, serviceFailure: 0,
            networkFaults: [], storageMix: name, storageChange: 0.02 / (Double(every.components.seconds) + Double(every.components.attoseconds) / 1e18),
            storageFaults: kinds)
    }

    /// The storage shape; with `faults` (a targeted mix), 20 s of faults and no admin commands
    /// (a move or a standby would release the service before the check could tell).
    static func options(mutations: ElectionMutations = [], faults: FaultProfile? = nil, steps: Int = 500, trace: Bool = false) -> SimulationOptions {
        SimulationOptions(
            steps: faults == nil ? steps : 1_000, adminCommands: faults == nil, mutations: mutations, trace: trace,
            shape: .storageTieBreaker, faultProfile: faults)
    }

    @Test("400 storage-shape seeds with every fault mix: no violation (split brain included), and the faults really happen")
    func storageSeeds() {
        let options = Self.options()
        var mixes: Set<String> = []
        var episodes = 0
        var cleanSplits = 0
        var releases = 0
        var fences = 0
        for seed in UInt64(1)...400 {
            let result = Simulation(seed: seed, options: options).run()
            if let violation = result.violation {
                Issue.record("seed \(seed): \(violation)\nreplay: \(result.replayCommand(options: options))")
                return
            }
            #expect(result.livenessRecovery != nil, "seed \(seed): liveness phase did not finish")
            if let mix = result.faults.storageMix { mixes.insert(mix) }
            episodes += result.storageEpisodes
            cleanSplits += result.cleanSplits
            releases += result.storageLostReleases.count
            fences += result.fences
        }
        #expect(mixes == ["storage-uniform", "storage-swarm", "slow-storage", "storage-outages", "network-splits", "clock-drift"])
        #expect(episodes > 1_000)
        #expect(cleanSplits > 5, "clean network-only splits long enough to matter")
        #expect(releases > 20, "holders released after losing the storage")
        #expect(fences > 20, "crashed peers fenced once silent on storage")
    }

    @Test("property 7: a holder cut from the storage releases in time; caught when it keeps the service (storage-lost mutation)")
    func storageLostHolds() {
        let faults = Self.storageOnly([.storageCut, .hang], name: "storage-cuts")
        var releases = 0
        var caught = 0
        for seed in UInt64(1)...20 {
            let correct = Simulation(seed: seed, options: Self.options(faults: faults)).run()
            #expect(correct.violation == nil, "seed \(seed): \(correct.violation.map { "\($0)" } ?? "")")
            releases += correct.storageLostReleases.count
            let broken = Simulation(seed: seed, options: Self.options(mutations: .keepServiceWithoutStorage, faults: faults)).run()
            if let violation = broken.violation {
                #expect(violation.property == .storageLostHolds, "seed \(seed): \(violation)")
                caught += 1
            }
        }
        #expect(releases > 10, "storage-lost releases timed")
        #expect(caught >= 8, "the mutation was caught in \(caught) of 20 seeds")
    }

    @Test("property 8: a network-only split with both disks healthy fences nobody; caught when a slow heartbeat looks silent (storage-timeout mutation)")
    func splitFence() {
        // Network cuts of 0.5-8 s around one node, disks sometimes slow (within storage_timeout or beyond it).
        let faults = Self.storageOnly([.networkCut, .networkCut, .slowWrites], name: "network-cuts", every: .seconds(3))
        var cleanSplits = 0
        var caught = 0
        for seed in UInt64(1)...40 {
            let correct = Simulation(seed: seed, options: Self.options(faults: faults)).run()
            #expect(correct.violation == nil, "seed \(seed): \(correct.violation.map { "\($0)" } ?? "")")
            cleanSplits += correct.cleanSplits
            let broken = Simulation(seed: seed, options: Self.options(mutations: .shortStorageTimeout, faults: faults)).run()
            if let violation = broken.violation {
                #expect(violation.property == .splitFence, "seed \(seed): \(violation)")
                caught += 1
            }
        }
        #expect(cleanSplits > 15, "clean splits long enough for a node to judge its peer's disk heartbeat")
        #expect(caught >= 5, "the mutation was caught in \(caught) of 40 seeds")
    }

    @Test("network-only cuts with both disks healthy: 0 fences, the holder keeps the service")
    func networkOnlyNoFence() {
        let faults = Self.storageOnly([.networkCut], name: "network-cuts-only", every: .seconds(3))
        var cleanSplits = 0
        for seed in UInt64(1)...20 {
            let result = Simulation(seed: seed, options: Self.options(faults: faults)).run()
            #expect(result.violation == nil, "seed \(seed): \(result.violation.map { "\($0)" } ?? "")")
            #expect(result.fences == 0, "seed \(seed): \(result.fences) fences")
            cleanSplits += result.cleanSplits
        }
        #expect(cleanSplits > 10)
    }

    @Test("property 8 counts only clean splits: cut from the network and the storage at once, the peer is fenced and that is no violation")
    func bothCutIsFenced() {
        let faults = Self.storageOnly([.bothCut], name: "both-cuts")
        var fences = 0
        for seed in UInt64(1)...10 {
            let result = Simulation(seed: seed, options: Self.options(faults: faults)).run()
            #expect(result.violation == nil, "seed \(seed): \(result.violation.map { "\($0)" } ?? "")")
            fences += result.fences
        }
        #expect(fences > 0, "a node cut from both is silent on storage: its peer fences it")
    }

    @Test("the storage shape is deterministic: a replay is identical")
    func deterministic() {
        let options = Self.options(steps: 300, trace: true)
        let first = Simulation(seed: 77, options: options).run()
        let second = Simulation(seed: 77, options: options).run()
        #expect(first.trace == second.trace)
        #expect(first.events == second.events)
        #expect(first.trace.contains { $0.contains("arbiter ok") })
    }

    @Test("seeds pick the storage shape among the 2-node ones; hasim's shape names go both ways")
    func shapes() {
        let options = SimulationOptions(steps: 1, livenessPhase: false)
        var storage = 0
        var plain = 0
        for seed in UInt64(1)...700 {
            let shape = Simulation(seed: seed, options: options).shape
            if shape == .storageTieBreaker { storage += 1 } else if shape.twoNode { plain += 1 }
        }
        #expect(storage > 20 && plain > 20, "storage \(storage), plain 2-node \(plain) of 700")
        for name in ["storage", "two-node", "3", "5w", "7wa", "3a"] {
            #expect(ClusterShape(name: name)?.name == name)
        }
        #expect(ClusterShape(name: "4x") == nil)
        let replay = Simulation(seed: 3, options: SimulationOptions(steps: 1)).run()
            .replayCommand(options: SimulationOptions(steps: 500, mutations: .shortStorageTimeout, shape: .storageTieBreaker))
        #expect(replay == "swift run hasim replay --seed 3 --steps 500 --mutation storage-timeout --shape storage --trace")
    }
}
