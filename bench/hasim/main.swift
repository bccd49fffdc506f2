import ArgumentParser
import Foundation
import ClusterCore
import ClusterSimulation

/// Deterministic cluster simulation: soak over many seeds, replay one, benchmark failover.
@main
struct Hasim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hasim",
        abstract: "Deterministic simulation of the haclusterd election core.",
        subcommands: [Run.self, Replay.self, Bench.self])
}

struct SimulationFlags: ParsableArguments {
    @Option(help: "Steps of the safety phase (one step = 20ms simulated).")
    var steps = 500

    @Flag(help: "Run without faults.")
    var noFaults = false

    @Option(help: "Break one mechanism: \(ElectionMutations.all.map(\.0).joined(separator: ", ")) (repeatable).")
    var mutation: [String] = []

    @Option(help: "Force the cluster shape instead of the seed's: storage (2 nodes, two_node, storage tie-breaker and storage faults), two-node, or 3/5/7 with w (witness) and a (wait_for_all), e.g. 3w.")
    var shape: String?

    func validate() throws {
        if let shape, ClusterShape(name: shape) == nil {
            throw ValidationError("unknown shape '\(shape)'; expected storage, two-node, or 3/5/7 with optional w and a (3w, 5a, 7wa)")
        }
        for name in mutation where !ElectionMutations.all.contains(where: { $0.0 == name }) {
            throw ValidationError("unknown mutation '\(name)'; expected one of: \(ElectionMutations.all.map(\.0).joined(separator: ", "))")
        }
    }

    func options(trace: Bool = false) -> SimulationOptions {
        var mutations = ElectionMutations()
        for name in mutation {
            if let found = ElectionMutations.all.first(where: { $0.0 == name }) { mutations.insert(found.1) }
        }
        return SimulationOptions(steps: steps, faults: !noFaults, mutations: mutations, trace: trace, shape: shape.flatMap(ClusterShape.init(name:)))
    }
}

extension Hasim {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run many seeds; stop at the first violation.")

        @Option(help: "Number of seeds.")
        var seeds: UInt64 = 1000

        @Option(help: "First seed.")
        var from: UInt64 = 1

        @Flag(help: "Report every violating seed and go on, instead of stopping at the first.")
        var keepGoing = false

        @OptionGroup var flags: SimulationFlags

        func run() throws {
            let options = flags.options()
            var violations = 0
            let start = ContinuousClock.now
            var events = 0
            var elections = 0
            var fences = 0
            var fencesAfterLeave: [UInt64] = []
            var crashes = 0
            var recoveries: [Duration] = []
            var storage = StorageTotals()
            var lastReport = start
            for seed in from..<(from + seeds) {
                let result = Simulation(seed: seed, options: options).run()
                events += result.events
                elections += result.elections
                fences += result.fences
                if result.fencesAfterCleanLeave > 0 { fencesAfterLeave.append(seed) }
                crashes += result.crashes
                if let recovery = result.livenessRecovery { recoveries.append(recovery) }
                storage.add(result)
                if let violation = result.violation {
                    print("VIOLATION seed \(seed) (\(result.shape); faults: \(result.faults)): \(violation)")
                    print("replay: \(result.replayCommand(options: options))")
                    violations += 1
                    if !keepGoing { throw ExitCode(1) }
                }
                let done = seed - from + 1
                if ContinuousClock.now - lastReport > .seconds(10) || done == seeds {
                    lastReport = ContinuousClock.now
                    let elapsed = ContinuousClock.now - start
                    let rate = Double(done) / max(0.001, elapsed.seconds)
                    print("\(done - UInt64(violations))/\(done) seeds ok (up to seed \(seed)), \(String(format: "%.1f", rate)) seeds/s, \(elapsed.seconds.rounded())s")
                    // Reach a log file as it happens: long soaks run in the background.
                    fflush(nil)
                }
            }
            recoveries.sort()
            let elapsed = ContinuousClock.now - start
            print("total: \(seeds) seeds × \(flags.steps) steps, \(violations) violations, mutations: \(options.mutations), faults: \(options.faults)")
            print("  \(events) events, \(elections) elections, \(crashes) crashes, \(fences) fences, \(String(format: "%.1f", elapsed.seconds))s")
            if !fencesAfterLeave.isEmpty {
                let shown = fencesAfterLeave.prefix(10).map(String.init).joined(separator: ", ")
                print("  fences decided before the target's leave was complete, landing after its clean exit: \(fencesAfterLeave.count) seed(s) (\(shown)\(fencesAfterLeave.count > 10 ? ", ..." : ""))")
            }
            if !recoveries.isEmpty {
                print("  liveness: service running after heal: median \(recoveries[recoveries.count / 2]), max \(recoveries.last!)")
            }
            for line in storage.report { print("  " + line) }
            if violations > 0 { throw ExitCode(1) }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replay one seed, optionally printing every event.")

        @Option(help: "The seed to replay.")
        var seed: UInt64

        @Flag(help: "Print every input and the actions it produced.")
        var trace = false

        @OptionGroup var flags: SimulationFlags

        func run() throws {
            let options = flags.options(trace: trace)
            let result = Simulation(seed: seed, options: options).run()
            for line in result.trace { print(line) }
            print("seed \(seed): \(result.shape), \(result.steps) steps, \(result.events) events, \(result.elections) elections, \(result.takeovers) takeovers, \(result.fences) fences, \(result.crashes) crashes, \(result.commandsCommitted) commands committed")
            if options.faults { print("faults: \(result.faults)") }
            if let violation = result.violation {
                print("VIOLATION: \(violation)")
                throw ExitCode(1)
            }
            if let recovery = result.livenessRecovery { print("liveness: service running \(recovery) after the heal") }
            if result.shape.usesStorage {
                print("storage: \(result.storageEpisodes) storage episodes, \(result.cleanSplits) clean network-only splits (\(result.cleanSplitTime)), "
                    + "\(result.storageLostReleases.count) storage-lost releases \(result.storageLostReleases)")
            }
            print("ok")
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Simulated time from leader crash to the new leader's takeover, default timings.")

        @Option(help: "Number of seeds.")
        var seeds: UInt64 = 1000

        @Option(help: "Nodes in the cluster (2 to 32).")
        var nodes = 3

        @Flag(help: "The storage shape instead: 2 nodes, two_node, storage tie-breaker (the survivor fences once the crashed node is silent on storage).")
        var storage = false

        func run() throws {
            let benchmark = storage ? FailoverBenchmark(shape: .storageTieBreaker) : FailoverBenchmark(nodes: nodes)
            let outcome = benchmark.run(seeds: 1...seeds)
            print(outcome.report)
            if outcome.samples.isEmpty { throw ExitCode(1) }
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The storage shape's numbers over a run (seeds of other shapes add nothing).
struct StorageTotals {
    var seeds = 0
    var episodes = 0
    var cleanSplits = 0
    var cleanSplitTime: Duration = .zero
    var releases: [Duration] = []
    var mixes: [String: Int] = [:]

    mutating func add(_ result: SimulationResult) {
        guard result.shape.usesStorage else { return }
        seeds += 1
        episodes += result.storageEpisodes
        cleanSplits += result.cleanSplits
        cleanSplitTime += result.cleanSplitTime
        releases += result.storageLostReleases
        if let mix = result.faults.storageMix { mixes[mix, default: 0] += 1 }
    }

    var report: [String] {
        guard seeds > 0 else { return [] }
        let releases = self.releases.sorted()
        var lines = [
            "storage shape: \(seeds) seeds (\(mixes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), \(episodes) storage episodes",
            "  clean network-only splits (both up, both disks on time, ≥ failure_timeout + storage_timeout): \(cleanSplits), \(String(format: "%.0f", cleanSplitTime.seconds))s in all, 0 fences in them unless reported above",
        ]
        if !releases.isEmpty {
            let p99 = releases[min(releases.count - 1, releases.count * 99 / 100)]
            lines.append("  holder lost the storage → service stopped (from its last good cycle): \(releases.count) releases, "
                + "median \(ms(releases[releases.count / 2])) ms, p99 \(ms(p99)) ms, max \(ms(releases.last!)) ms")
        }
        return lines
    }

    func ms(_ duration: Duration) -> String { String(format: "%.0f", duration.seconds * 1000) }
}
