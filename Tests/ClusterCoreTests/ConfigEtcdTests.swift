import CoreTestSupport
import Testing

@testable import ClusterCore

@Suite("[cluster] backend and [etcd]")
struct ConfigEtcdTests {
    static let etcdBackend = ("name = \"dss_cluster\"", "name = \"dss_cluster\"\nbackend = \"etcd\"")
    static let noQuorum = ("[quorum]\ntwo_node = false\nwait_for_all = true\n", "")
    static let noWitness = ("[[node]]\nname = \"dss3\"\naddresses = [\"198.18.1.13\"]\nrole = \"witness\"\n", "")
    /// The fixture with backend = "etcd": two nodes that may run the service, no witness, no [quorum].
    static let head = ConfigFixtures.base(replacing: [etcdBackend, noQuorum, noWitness])

    static func parse(_ text: String) throws(ConfigError) -> ClusterConfig {
        try ConfigLoader.parse(toml: text, path: "/etc/hacluster/haclusterd.toml")
    }

    static func error(_ text: String) -> String {
        do {
            _ = try parse(text)
            return ""
        } catch {
            return error.description
        }
    }

    @Test("builtin by default; backend = \"etcd\" takes [etcd] with its defaults")
    func defaults() throws {
        #expect(try Self.parse(ConfigFixtures.base).cluster.backend == .builtin)
        let text = Self.head
            + "\n[etcd]\nendpoints = [\"http://198.18.0.5:2379\", \"http://[fd00::5]:2379\", \"http://etcd3.example:2379\"]\n"
        let config = try Self.parse(text)
        #expect(config.cluster.backend == .etcd)
        let etcd = try #require(config.etcd)
        #expect(etcd.endpoints.map(\.description) == ["http://198.18.0.5:2379", "http://[fd00::5]:2379", "http://etcd3.example:2379"])
        #expect(etcd.prefix == "/haclusterd/dss_cluster")
        #expect(etcd.leaseTTL == .seconds(5))
        #expect(ConfigLoader.warnings(for: config).isEmpty, "two servers and etcd: nothing to warn about")
    }

    @Test("every key set; TLS files need https:// endpoints, and a certificate its key")
    func tls() throws {
        let full = Self.head + """

            [etcd]
            endpoints = ["https://198.18.0.5:2379", "https://198.18.0.6:2379"]
            prefix = "/ha/dss"
            lease_ttl = "3s"
            ca_file = "/etc/hacluster/etcd-ca.pem"
            cert_file = "/etc/hacluster/etcd.pem"
            key_file = "/etc/hacluster/etcd-key.pem"

            """
        let etcd = try #require(try Self.parse(full).etcd)
        #expect(etcd.prefix == "/ha/dss" && etcd.leaseTTL == .seconds(3))
        #expect(etcd.endpoints.allSatisfy(\.tls) && etcd.caFile == "/etc/hacluster/etcd-ca.pem" && etcd.keyFile == "/etc/hacluster/etcd-key.pem")

        let noKey = Self.error(full.replacing("key_file = \"/etc/hacluster/etcd-key.pem\"\n", with: ""))
        #expect(noKey.contains("etcd.cert_file") && noKey.contains("without key_file"), "\(noKey)")
        let plain = Self.error(full.replacing("https://", with: "http://"))
        #expect(plain.contains("etcd.ca_file") && plain.contains("without TLS"), "\(plain)")
        let mixed = Self.error(full.replacing("\"https://198.18.0.6:2379\"", with: "\"http://198.18.0.6:2379\""))
        #expect(mixed.contains("etcd.endpoints[1]") && mixed.contains("all or none use TLS"), "\(mixed)")
    }

    @Test("bad values name the key and say what was expected", arguments: [
        ("endpoints = [\"198.18.0.5:2379\"]", "etcd.endpoints[0]", "an etcd client URL"),
        ("endpoints = [\"http://198.18.0.5\"]", "etcd.endpoints[0]", "and a port"),
        ("endpoints = [\"http://198.18.0.5:2379/v3\"]", "etcd.endpoints[0]", "an etcd client URL"),
        ("endpoints = [\"http://a:1\", \"http://a:1\"]", "etcd.endpoints[1]", "etcd.endpoints[0]"),
        ("endpoints = []", "etcd.endpoints", ""),
        ("endpoints = [\"http://a:1\"]\nprefix = \"haclusterd/x\"", "etcd.prefix", "starting with '/'"),
        ("endpoints = [\"http://a:1\"]\nprefix = \"/haclusterd/\"", "etcd.prefix", "without a trailing '/'"),
        ("endpoints = [\"http://a:1\"]\nlease_ttl = \"1s\"", "etcd.lease_ttl", "2s"),
        ("endpoints = [\"http://a:1\"]\nlease_ttl = \"2500ms\"", "etcd.lease_ttl", "whole seconds"),
        ("endpoints = [\"http://a:1\"]\nttl = \"5s\"", "etcd.ttl", ""),
    ])
    func badValues(_ body: String, _ key: String, _ expected: String) {
        let text = Self.head + "\n[etcd]\n\(body)\n"
        let message = Self.error(text)
        #expect(message.contains(key) && message.contains(expected), "\(message)")
    }

    @Test("backend = \"etcd\" without [etcd], and an unknown backend, are errors")
    func missing() {
        let withoutEtcd = Self.error(Self.head)
        #expect(withoutEtcd.contains("etcd.endpoints"), "\(withoutEtcd)")
        let unknown = Self.error(ConfigFixtures.base(replacing: [("name = \"dss_cluster\"", "name = \"dss_cluster\"\nbackend = \"zookeeper\"")]))
        #expect(unknown.contains("cluster.backend") && unknown.contains("\"builtin\" or \"etcd\""), "\(unknown)")
    }

    @Test("config check says what does not apply: [quorum] and witnesses with etcd, [etcd] without it")
    func warnings() throws {
        let etcd = "\n[etcd]\nendpoints = [\"http://198.18.0.5:2379\"]\n"
        let withWitness = try Self.parse(ConfigFixtures.base(replacing: [Self.etcdBackend]) + etcd)
        let found = ConfigLoader.warnings(for: withWitness)
        #expect(found.contains(.quorumIgnoredWithEtcd), "wait_for_all = true is not the default: [quorum] is given")
        #expect(found.contains(.witnessIgnoredWithEtcd(nodes: ["dss3"])))
        #expect(found.first { $0 == .witnessIgnoredWithEtcd(nodes: ["dss3"]) }?.description.contains("\"dss3\"") == true)
        #expect(!found.contains { if case .evenVotingNodes = $0 { true } else { false } })

        let unused = try Self.parse(ConfigFixtures.base + etcd)
        #expect(ConfigLoader.warnings(for: unused).contains(.etcdIgnored))
    }

    @Test("the digest: unchanged for a builtin configuration, and prefix and lease_ttl must agree across nodes")
    func digest() throws {
        let builtin = ConfigDigest(try Self.parse(ConfigFixtures.base))
        #expect(builtin.sections["etcd"] == nil)
        let head = Self.head
        let one = ConfigDigest(try Self.parse(head + "\n[etcd]\nendpoints = [\"http://198.18.0.5:2379\"]\n"))
        let otherEndpoint = ConfigDigest(try Self.parse(head + "\n[etcd]\nendpoints = [\"http://198.18.0.6:2379\"]\n"))
        let otherTTL = ConfigDigest(try Self.parse(head + "\n[etcd]\nendpoints = [\"http://198.18.0.5:2379\"]\nlease_ttl = \"7s\"\n"))
        #expect(one.differingSections(from: otherEndpoint).isEmpty)
        #expect(one.differingSections(from: otherTTL) == ["etcd"])
        #expect(one.sections["cluster"] != builtin.sections["cluster"], "the backend is part of [cluster]")
    }
}
