@testable import ClusterCore
@testable import ClusterNode
import CoreTestSupport
import Testing

/// Which configured node this machine is: `--node`, else the node with a local address,
/// else the hostname.
@Suite struct NodeResolverTests {
    static func config() throws -> ClusterConfig {
        try ConfigLoader.parse(toml: ConfigFixtures.base(replacing: [("\"198.18.2.12\"", "\"2001:db8::12\"")]), path: nil)
    }

    static func resolve(_ requested: String?, local: [String], hostname: String) throws(DaemonError) -> String {
        let config: ClusterConfig
        do { config = try Self.config() } catch { fatalError("fixture: \(error)") }
        return try NodeResolver(config: config, localAddresses: LocalAddresses(texts: local), hostname: hostname)
            .resolve(requested: requested).name
    }

    @Test func explicitNodeWins() throws {
        #expect(try Self.resolve("dss2", local: ["198.18.1.11"], hostname: "dss1") == "dss2")
    }

    @Test func explicitUnknownNodeListsTheKnownOnes() throws {
        #expect(throws: DaemonError.unknownNode(name: "dssX", known: ["dss1", "dss2", "dss3"])) {
            try Self.resolve("dssX", local: [], hostname: "dss1")
        }
    }

    @Test func localAddressPicksTheNode() throws {
        // As `ip -o addr` prints them: with prefix lengths, zone ids, other machines' noise.
        #expect(try Self.resolve(nil, local: ["127.0.0.1/8", "10.0.2.15/24", "198.18.1.12/24", "fe80::1%eth0"], hostname: "localhost") == "dss2")
        // IPv6 compared by value, not by spelling.
        #expect(try Self.resolve(nil, local: ["2001:DB8:0::12"], hostname: "x") == "dss2")
        // The address beats the hostname.
        #expect(try Self.resolve(nil, local: ["198.18.1.13"], hostname: "dss1") == "dss3")
    }

    @Test func hostnameIsTheFallback() throws {
        #expect(try Self.resolve(nil, local: ["10.0.0.1"], hostname: "dss1") == "dss1")
        #expect(try Self.resolve(nil, local: [], hostname: "dss3.example.com") == "dss3")
    }

    @Test func noMatchOrSeveralMatchesAreErrors() throws {
        #expect(throws: DaemonError.noLocalNode(hostname: "web7", known: ["dss1", "dss2", "dss3"])) {
            try Self.resolve(nil, local: ["10.0.0.1"], hostname: "web7")
        }
        #expect(throws: DaemonError.ambiguousLocalNode(candidates: ["dss1", "dss2"])) {
            try Self.resolve(nil, local: ["198.18.1.11", "198.18.1.12"], hostname: "web7")
        }
        // Several local nodes (a test machine): the hostname decides.
        #expect(try Self.resolve(nil, local: ["198.18.1.11", "198.18.1.12"], hostname: "dss2") == "dss2")
    }
}
