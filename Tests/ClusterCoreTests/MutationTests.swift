import ClusterCore
import ClusterSimulation
import Testing

/// Each mechanism, broken on purpose, must make the simulation report a
/// violation within the CI seed budget: the checker can fail.
@Suite("Mutation check")
struct MutationTests {
    static let budget: UInt64 = 2_000

    @Test("a broken mechanism is caught", arguments: ElectionMutations.all.map(\.0))
    func caught(mutation name: String) {
        let mutation = ElectionMutations.all.first { $0.0 == name }!.1
        let options = SimulationOptions(steps: 500, mutations: mutation)
        for seed in 1...Self.budget {
            let result = Simulation(seed: seed, options: options).run()
            if let violation = result.violation {
                #expect(violation.property != .liveness, "\(name) must break safety, not just liveness: seed \(seed): \(violation)")
                return
            }
        }
        Issue.record("mutation \(name) survived \(Self.budget) seeds: the simulation cannot see this mechanism break")
    }
}
