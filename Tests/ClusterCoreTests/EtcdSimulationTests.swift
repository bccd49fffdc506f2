import ClusterCore
import ClusterSimulation
import CoreTestSupport
import Testing

/// The etcd backend's coordinators against a simulated etcd, with crashes, nodes cut from etcd
/// and etcd without quorum: never two nodes running the service; and a broken mechanism is caught.
@Suite("Etcd simulation")
struct EtcdSimulationTests {
    static let config = try! ConfigLoader.parse(toml: ConfigFixtures.base(replacing: [
        ("[[node]]\nname = \"dss3\"\naddresses = [\"198.18.1.13\"]\nrole = \"witness\"\n",
         "[[node]]\nname = \"dss3\"\naddresses = [\"198.18.1.13\"]\n"),
        ("nodes = [\"dss2\"]\n", "nodes = [\"dss2\", \"dss3\"]\n"),
    ]), path: nil)

    @Test("300 seeds: never two nodes running the service, and the service runs once the faults stop")
    func safeAndLive() {
        var takeovers = 0, fences = 0
        for seed in 0..<300 as Range<UInt64> {
            let result = EtcdSimulation(seed: seed, config: Self.config).run()
            #expect(result.violations.isEmpty, "seed \(seed): \(result.violations.prefix(2))")
            #expect(result.servedAtEnd, "seed \(seed): nothing runs 30 s after the last fault")
            takeovers += result.takeovers
            fences += result.fences
        }
        print("etcd simulation: 300 seeds, \(takeovers) takeovers, \(fences) fences, 0 overlaps")
        #expect(takeovers > 300 && fences > 0, "the faults made failovers happen (\(takeovers) takeovers, \(fences) fences)")
    }

    @Test("each broken mechanism lets two nodes run the service", arguments: EtcdSimulation.Mutation.allCases)
    func mutationsCaught(_ mutation: EtcdSimulation.Mutation) {
        let broken = (0..<300 as Range<UInt64>).filter { !EtcdSimulation(seed: $0, config: Self.config, mutation: mutation).run().violations.isEmpty }
        print("etcd simulation, \(mutation): \(broken.count) of 300 seeds found two nodes running")
        #expect(!broken.isEmpty, "\(mutation): no seed of 300 found two nodes running")
    }
}
