import Testing
@testable import ClusterCore

@Suite struct ConfigLocalNodeTests {
    static func config() throws -> ClusterConfig {
        var config = try ConfigLoader.parse(toml: ConfigFixtures.base(replacing: [("\"198.18.2.12\"", "\"2001:db8::12\"")]), path: nil)
        config.sourcePath = "/etc/hacluster/haclusterd.toml"
        return config
    }

    @Test func explicitNodeWins() throws {
        let node = try Self.config().resolveLocalNode(explicit: "dss2", localAddresses: ["198.18.1.11"], hostname: "dss1")
        #expect(node.name == "dss2")
    }

    @Test func explicitUnknownNodeListsTheKnownOnes() throws {
        #expect(throws: ConfigError.noSuchNode(file: "/etc/hacluster/haclusterd.toml", requested: "dssX", known: ["dss1", "dss2", "dss3"])) {
            try Self.config().resolveLocalNode(explicit: "dssX", localAddresses: [], hostname: "dss1")
        }
        let message = ConfigError.noSuchNode(file: nil, requested: "dssX", known: ["dss1", "dss2", "dss3"]).description
        #expect(message == "--node dssX: no such node; known: dss1, dss2, dss3")
    }

    @Test func localAddressPicksTheNode() throws {
        let config = try Self.config()
        // As `ip -o addr` prints them: with prefix lengths, zone ids, other machines' noise.
        let local = ["127.0.0.1/8", "10.0.2.15/24", "198.18.1.12/24", "fe80::1%eth0"]
        #expect(try config.resolveLocalNode(explicit: nil, localAddresses: local, hostname: "localhost").name == "dss2")
        // IPv6 compared by value, not by spelling.
        #expect(try config.resolveLocalNode(explicit: nil, localAddresses: ["2001:DB8:0::12"], hostname: "x").name == "dss2")
        // The address beats the hostname.
        #expect(try config.resolveLocalNode(explicit: nil, localAddresses: ["198.18.1.13"], hostname: "dss1").name == "dss3")
    }

    @Test func hostnameIsTheFallback() throws {
        let config = try Self.config()
        #expect(try config.resolveLocalNode(explicit: nil, localAddresses: ["10.0.0.1"], hostname: "dss1").name == "dss1")
        #expect(try config.resolveLocalNode(explicit: nil, localAddresses: [], hostname: "dss3.example.com").name == "dss3")
    }

    @Test func noMatchOrSeveralMatchesAreErrors() throws {
        let config = try Self.config()
        #expect(throws: ConfigError.localNodeNotFound(file: "/etc/hacluster/haclusterd.toml", hostname: "web7", known: ["dss1", "dss2", "dss3"])) {
            try config.resolveLocalNode(explicit: nil, localAddresses: ["10.0.0.1"], hostname: "web7")
        }
        #expect(throws: ConfigError.ambiguousLocalNode(file: "/etc/hacluster/haclusterd.toml", candidates: ["dss1", "dss2"])) {
            try config.resolveLocalNode(explicit: nil, localAddresses: ["198.18.1.11", "198.18.1.12"], hostname: "dss1")
        }
    }
}
