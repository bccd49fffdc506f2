import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// One realistic mistake in an otherwise valid configuration.
struct InvalidConfigCase: CustomTestStringConvertible, Sendable {
    let name: String
    let toml: String
    /// The key the error must name.
    let keyPath: String
    /// Words the message must contain (what was expected, or what is wrong).
    let mentions: String
    /// The error must be on the first line containing this text, if given.
    let lineOf: String?

    init(_ name: String, _ edits: [(String, String)], key keyPath: String, mentions: String, lineOf: String? = nil) {
        self.name = name
        self.toml = ConfigFixtures.base(replacing: edits)
        self.keyPath = keyPath
        self.mentions = mentions
        self.lineOf = lineOf
    }

    init(_ name: String, toml: String, key keyPath: String, mentions: String, lineOf: String? = nil) {
        self.name = name
        self.toml = toml
        self.keyPath = keyPath
        self.mentions = mentions
        self.lineOf = lineOf
    }

    var testDescription: String { name }
}

@Suite struct ConfigInvalidTests {
    static let witness = "[[node]]\nname = \"dss3\"\naddresses = [\"198.18.1.13\"]\nrole = \"witness\"\n"

    static let cases: [InvalidConfigCase] = [
        // [cluster]
        .init("cluster name missing", [("name = \"dss_cluster\"\n", "")], key: "cluster.name", mentions: "required key is missing", lineOf: "[cluster]"),
        .init("cluster name with a space", [("\"dss_cluster\"", "\"dss cluster\"")], key: "cluster.name", mentions: "letters, digits", lineOf: "dss cluster"),
        .init("cluster name empty", [("\"dss_cluster\"", "\"\"")], key: "cluster.name", mentions: "must not be empty", lineOf: "name = \"\""),
        .init("relative key file", [("\"/etc/hacluster/authkey\"", "\"authkey\"")], key: "cluster.key_file", mentions: "absolute path", lineOf: "key_file"),
        .init("port out of range", [("port = 5405", "port = 70000")], key: "cluster.port", mentions: "out of range (allowed 1...65535)", lineOf: "port ="),
        .init("port as a string", [("port = 5405", "port = \"5405\"")], key: "cluster.port", mentions: "expected an integer, found string \"5405\"", lineOf: "port ="),
        .init("heartbeat without a number", [("\"200ms\"", "\"fast\"")], key: "cluster.heartbeat_interval", mentions: "is not a duration", lineOf: "fast"),
        .init("failure timeout not above 3 heartbeats", [("failure_timeout = \"1s\"", "failure_timeout = \"500ms\"")],
              key: "cluster.failure_timeout", mentions: "larger than 3 × heartbeat_interval", lineOf: "500ms"),
        .init("failure timeout as a float", [("failure_timeout = \"1s\"", "failure_timeout = 1.5")],
              key: "cluster.failure_timeout", mentions: "a duration such as", lineOf: "= 1.5"),
        .init("state dir on the shared storage", [("state_dir = \"/var/lib/hacluster\"", "state_dir = \"/dataiku/hacluster\"")],
              key: "cluster.state_dir", mentions: "must be local", lineOf: "state_dir"),
        .init("misspelt key in cluster", [("heartbeat_interval", "heartbeat_intervall")], key: "cluster.heartbeat_intervall",
              mentions: "did you mean \"heartbeat_interval\"", lineOf: "heartbeat_intervall"),
        .init("quorum key under [cluster]", [("failure_timeout = \"1s\"", "failure_timeout = \"1s\"\ntwo_node = true")],
              key: "cluster.two_node", mentions: "unknown key \"two_node\" here; it belongs in [quorum]", lineOf: "two_node = true"),
        // [quorum]
        .init("wait_for_all as a string", [("wait_for_all = true", "wait_for_all = \"yes\"")], key: "quorum.wait_for_all",
              mentions: "expected true or false", lineOf: "wait_for_all"),
        .init("two_node with three nodes", [("two_node = false", "two_node = true")], key: "quorum.two_node",
              mentions: "exactly 2 nodes, 3 are configured", lineOf: "two_node"),
        .init("two_node without fencing", [(witness, ""), ("two_node = false", "two_node = true"), ("enabled = true", "enabled = false")],
              key: "quorum.two_node", mentions: "needs fencing", lineOf: "two_node"),
        .init("tie_breaker without two_node", [("two_node = false", "two_node = false\ntie_breaker = \"storage\"")],
              key: "quorum.tie_breaker", mentions: "set two_node = true", lineOf: "tie_breaker"),
        .init("tie_breaker misspelt", [(witness, ""), ("two_node = false", "two_node = true\ntie_breaker = \"disk\"")],
              key: "quorum.tie_breaker", mentions: "\"none\" or \"storage\"", lineOf: "tie_breaker"),
        .init("storage_timeout of 2 heartbeats", [(witness, ""), ("two_node = false", "two_node = true\ntie_breaker = \"storage\"\nstorage_timeout = \"400ms\"")],
              key: "quorum.storage_timeout", mentions: "larger than 3 × heartbeat_interval", lineOf: "storage_timeout"),
        .init("arbiter file off the storage", [(witness, ""), ("two_node = false", "two_node = true\ntie_breaker = \"storage\""),
                                              ("lock_file = \"/dataiku/.hacluster.lock\"", "lock_file = \"/dataiku/.hacluster.lock\"\narbiter_file = \"/var/lib/arbiter\"")],
              key: "storage.arbiter_file", mentions: "must live on the shared storage", lineOf: "arbiter_file"),
        .init("storage fence without the tie-breaker", [("agent = \"fence_ipmilan\"\nnodes = [\"dss1\"]", "agent = \"storage\"\nnodes = [\"dss1\"]"),
                                                        ("options = { ip = \"10.0.0.101\", username = \"admin\", lanplus = \"1\" }\n", ""),
                                                        ("action = \"reboot\"", "action = \"reboot\"\nwatchdog = \"/dev/watchdog\"")],
              key: "fencing.device[0].agent", mentions: "exists only with [quorum] two_node = true and tie_breaker = \"storage\"", lineOf: "agent = \"storage\""),
        .init("storage fence without a watchdog", [(witness, ""), ("two_node = false", "two_node = true\ntie_breaker = \"storage\""),
                                                   ("agent = \"fence_ipmilan\"\nnodes = [\"dss1\"]", "agent = \"storage\"\nnodes = [\"dss1\"]"),
                                                   ("options = { ip = \"10.0.0.101\", username = \"admin\", lanplus = \"1\" }\n", "")],
              key: "fencing.device[0].agent", mentions: "needs a watchdog", lineOf: "agent = \"storage\""),
        .init("storage fence msgwait under 2 watchdog timeouts", [(witness, ""), ("two_node = false", "two_node = true\ntie_breaker = \"storage\""),
                                                   ("action = \"reboot\"", "action = \"reboot\"\nwatchdog = \"/dev/watchdog\"\nwatchdog_timeout = \"10s\""),
                                                   ("agent = \"fence_ipmilan\"\nnodes = [\"dss1\"]", "agent = \"storage\"\nnodes = [\"dss1\"]"),
                                                   ("options = { ip = \"10.0.0.101\", username = \"admin\", lanplus = \"1\" }", "options = { msgwait = \"15s\" }")],
              key: "fencing.device[0].options.msgwait", mentions: "at least 2 × watchdog_timeout (20s)"),
        .init("storage fence with an agent option", [(witness, ""), ("two_node = false", "two_node = true\ntie_breaker = \"storage\""),
                                                   ("action = \"reboot\"", "action = \"reboot\"\nwatchdog = \"/dev/watchdog\""),
                                                   ("agent = \"fence_ipmilan\"\nnodes = [\"dss1\"]", "agent = \"storage\"\nnodes = [\"dss1\"]")],
              key: "fencing.device[0].options.ip", mentions: "its only option is msgwait"),
        // [[node]]
        .init("no node at all", toml: ConfigFixtures.minimal.replacingOccurrences(of: "[[node]]\nname = \"a\"\naddresses = [\"198.18.0.1\"]\n", with: ""),
              key: "node", mentions: "at least one [[node]] section is required"),
        .init("duplicate node name", [("name = \"dss2\"", "name = \"dss1\" # copied from dss1")], key: "node[1].name",
              mentions: "already used by node[0].name", lineOf: "# copied"),
        .init("duplicate address across nodes", [("\"198.18.1.12\"", "\"198.18.1.11\"")], key: "node[1].addresses[0]",
              mentions: "already used by node[0].addresses[0]", lineOf: "addresses = [\"198.18.1.11\", \"198.18.2.12\"]"),
        .init("invalid IPv4 literal", [("\"198.18.1.13\"", "\"198.18.1.300\"")], key: "node[2].addresses[0]", mentions: "IPv4 or IPv6 address",
              lineOf: "198.18.1.300"),
        .init("node address with a prefix length", [("\"198.18.1.11\"", "\"198.18.1.11/24\"")], key: "node[0].addresses[0]",
              mentions: "without a prefix length", lineOf: "198.18.1.11/24"),
        .init("addresses written as one string", [("addresses = [\"198.18.1.13\"]", "addresses = \"198.18.1.13\"")],
              key: "node[2].addresses", mentions: "expected an array of strings", lineOf: "addresses = \"198.18.1.13\""),
        .init("singular address key", [("addresses = [\"198.18.1.13\"]", "address = \"198.18.1.13\"")], key: "node[2].address",
              mentions: "did you mean \"addresses\"", lineOf: "address = \"198.18.1.13\""),
        .init("node without addresses", [(witness, "[[node]] # the witness\nname = \"dss3\"\nrole = \"witness\"\n")],
              key: "node[2].addresses", mentions: "required key is missing", lineOf: "# the witness"),
        .init("witness with a priority", [("role = \"witness\"", "role = \"witness\"\npriority = 7")], key: "node[2].priority",
              mentions: "remove its priority", lineOf: "priority = 7"),
        .init("unknown role", [("role = \"witness\"", "role = \"quorum\"")], key: "node[2].role", mentions: "\"full\" or \"witness\"",
              lineOf: "quorum\""),
        .init("no eligible node", [("priority = 100", "role = \"witness\""), ("name = \"dss2\"", "name = \"dss2\"\nrole = \"witness\"")],
              key: "node[0].role", mentions: "every node is a witness"),
        .init("single [node] instead of [[node]]", toml: ConfigFixtures.minimal.replacingOccurrences(of: "[[node]]", with: "[node]"),
              key: "node", mentions: "expected an array of tables ([[node]])", lineOf: "[node]"),
        // [service]
        .init("duration in words", [("\"600s\"", "\"10 minutes\"")], key: "service.start_timeout", mentions: "is not a duration", lineOf: "10 minutes"),
        .init("ambiguous minutes", [("\"600s\"", "\"10m\"")], key: "service.start_timeout", mentions: "use \"min\" for minutes", lineOf: "10m"),
        .init("negative duration", [("\"600s\"", "\"-600s\"")], key: "service.start_timeout", mentions: "cannot be negative", lineOf: "-600s"),
        .init("zero start timeout", [("\"600s\"", "0")], key: "service.start_timeout", mentions: "too short", lineOf: "start_timeout"),
        .init("overflowing duration", [("\"600s\"", "\"99999999999h\"")], key: "service.start_timeout", mentions: "too large", lineOf: "99999999999h"),
        .init("a failure timeout of a million hours", [("failure_timeout = \"1s\"", "failure_timeout = \"1000000h\"")], key: "cluster.failure_timeout",
              mentions: "1000000h is too long (maximum 24h)", lineOf: "1000000h"),
        .init("a failure expiry over 30 days", [("\"600s\"", "\"600s\"\nfailure_expiry = \"744h\"")], key: "service.failure_expiry",
              mentions: "744h is too long (maximum 720h)", lineOf: "744h"),
        .init("misspelt service key", [("start_timeout", "start_timout")], key: "service.start_timout", mentions: "did you mean \"start_timeout\"",
              lineOf: "start_timout"),
        .init("unit without a suffix", [("[\"dataiku.service\"]", "[\"dataiku\"]")], key: "service.units[0]", mentions: "systemd unit name",
              lineOf: "units = [\"dataiku\"]"),
        .init("template unit", [("[\"dataiku.service\"]", "[\"dataiku@.service\"]")], key: "service.units[0]", mentions: "systemd unit name"),
        .init("no units", [("[\"dataiku.service\"]", "[]")], key: "service.units", mentions: "must not be empty", lineOf: "units = []"),
        .init("duplicate unit", [("[\"dataiku.service\"]", "[\"dataiku.service\", \"dataiku.service\"]")], key: "service.units[1]",
              mentions: "already used by service.units[0]"),
        .init("unknown systemd bus", [("systemd_bus = \"system\"", "systemd_bus = \"session\"")], key: "service.systemd_bus",
              mentions: "\"system\" or \"user\"", lineOf: "session"),
        .init("migration threshold zero", [("migration_threshold = 3", "migration_threshold = 0")], key: "service.migration_threshold",
              mentions: "out of range (allowed 1...", lineOf: "migration_threshold"),
        .init("health fall zero", [("migration_threshold = 3", "migration_threshold = 3\nhealth_fall = 0")], key: "service.health_fall",
              mentions: "out of range (allowed 1...100)", lineOf: "health_fall"),
        .init("health timeout with an ambiguous unit", [("migration_threshold = 3", "migration_threshold = 3\nhealth_timeout = \"2m\"")],
              key: "service.health_timeout", mentions: "use \"min\" for minutes", lineOf: "health_timeout"),
        .init("ftp health URL", [("http://127.0.0.1", "ftp://127.0.0.1")], key: "service.health_url", mentions: "only http:// and https://",
              lineOf: "health_url"),
        .init("relative health CA file", [("migration_threshold = 3", "migration_threshold = 3\nhealth_ca_file = \"ca.pem\"")],
              key: "service.health_ca_file", mentions: "an absolute path", lineOf: "health_ca_file"),
        .init("health URL without scheme", [("http://127.0.0.1:11200", "127.0.0.1:11200")], key: "service.health_url",
              mentions: "an http:// or https:// URL", lineOf: "health_url"),
        .init("service section missing", [("[service]\nname = \"dataiku\"\nunits = [\"dataiku.service\"]\n", "[servce]\n")],
              key: "servce", mentions: "did you mean [service]", lineOf: "[servce]"),
        .init("plural [[nodes]]", toml: ConfigFixtures.minimal.replacingOccurrences(of: "[[node]]", with: "[[nodes]]"),
              key: "nodes", mentions: "unknown section (did you mean [[node]]?)", lineOf: "[[nodes]]"),
        .init("misspelt [[fencing.devices]]", [("[[fencing.device]]\nname = \"ipmi-dss2\"", "[[fencing.devices]]\nname = \"ipmi-dss2\"")],
              key: "fencing.devices", mentions: "did you mean [[fencing.device]]?", lineOf: "[[fencing.devices]]"),
        .init("storage key under [service]", [("migration_threshold = 3", "migration_threshold = 3\nlock_file = \"/dataiku/x.lock\"")],
              key: "service.lock_file", mentions: "belongs in [storage]", lineOf: "x.lock"),
        // [storage]
        .init("storage path missing", [("path = \"/dataiku\"\n", "")], key: "storage.path", mentions: "required key is missing", lineOf: "[storage]"),
        .init("lock file outside the storage", [("\"/dataiku/.hacluster.lock\"", "\"/var/lock/dss.lock\"")], key: "storage.lock_file",
              mentions: "must live on the shared storage", lineOf: "lock_file"),
        .init("lock file is the storage path", [("\"/dataiku/.hacluster.lock\"", "\"/dataiku/\"")], key: "storage.lock_file",
              mentions: "not inside storage.path", lineOf: "lock_file"),
        // [[floating_ip]]
        .init("floating IP without prefix", [("\"198.18.1.50/24\"", "\"198.18.1.50\"")], key: "floating_ip[0].address",
              mentions: "\"198.18.1.50/24\"", lineOf: "198.18.1.50"),
        .init("floating IP prefix too long", [("\"198.18.1.50/24\"", "\"198.18.1.50/33\"")], key: "floating_ip[0].address",
              mentions: "a prefix length 1...32 for an IPv4 address", lineOf: "198.18.1.50/33"),
        .init("IPv6 floating IP prefix too long", [("\"198.18.1.50/24\"", "\"2001:db8::50/129\"")], key: "floating_ip[0].address",
              mentions: "a prefix length 1...128 for an IPv6 address", lineOf: "2001:db8::50/129"),
        .init("floating IP with a netmask", [("\"198.18.1.50/24\"", "\"198.18.1.50/255.255.255.0\"")], key: "floating_ip[0].address",
              mentions: "prefix length", lineOf: "255.255.255.0"),
        .init("floating IP is a node address", [("\"198.18.1.50/24\"", "\"198.18.1.12/24\"")], key: "floating_ip[0].address",
              mentions: "also an address of node \"dss2\"", lineOf: "198.18.1.12/24"),
        .init("interface name too long", [("interface = \"eth0\"", "interface = \"enp0s31f6-storage\"")], key: "floating_ip[0].interface",
              mentions: "1-15 characters", lineOf: "enp0s31f6"),
        .init("duplicate check too long", [("interface = \"eth0\"", "interface = \"eth0\"\nduplicate_check = \"10s\"")],
              key: "floating_ip[0].duplicate_check", mentions: "from \"0s\" (no probe) to \"5s\"", lineOf: "duplicate_check"),
        .init("duplicate check not a duration", [("interface = \"eth0\"", "interface = \"eth0\"\nduplicate_check = true")],
              key: "floating_ip[0].duplicate_check", mentions: "duration", lineOf: "duplicate_check"),
        .init("duplicate check always not a boolean", [("interface = \"eth0\"", "interface = \"eth0\"\nduplicate_check_always = \"yes\"")],
              key: "floating_ip[0].duplicate_check_always", mentions: "expected true or false", lineOf: "duplicate_check_always"),
        // [fencing]
        .init("fencing action", [("action = \"reboot\"", "action = \"poweroff\"")], key: "fencing.action", mentions: "\"reboot\" or \"off\"",
              lineOf: "poweroff"),
        .init("node not covered by any device", [("nodes = [\"dss2\"]", "nodes = [\"dss1\"]")], key: "node[1].name",
              mentions: "no [[fencing.device]] covers node \"dss2\"", lineOf: "name = \"dss2\""),
        .init("fencing enabled without devices",
              toml: ConfigFixtures.minimal.replacingOccurrences(of: "enabled = false", with: "enabled = true"),
              key: "fencing.device", mentions: "no [[fencing.device]] covers node \"a\""),
        .init("device names an unknown node", [("nodes = [\"dss2\"]", "nodes = [\"dss2\", \"dss4\"]")], key: "fencing.device[1].nodes[1]",
              mentions: "no node \"dss4\" is configured (known: dss1, dss2, dss3)", lineOf: "dss4"),
        .init("duplicate device name", [("name = \"ipmi-dss2\"", "name = \"ipmi-dss1\"")], key: "fencing.device[1].name",
              mentions: "already used by fencing.device[0].name"),
        .init("host map without ports", [("nodes = [\"dss2\"]", "host_map = \"dss2\"")], key: "fencing.device[1].host_map",
              mentions: "NODE:PORT", lineOf: "host_map"),
        .init("password in options", [("username = \"admin\" }", "username = \"admin\", password = \"calvin\" }")],
              key: "fencing.device[1].options.password", mentions: "password_file", lineOf: "calvin"),
        .init("port in options", [("lanplus = \"1\" }", "lanplus = \"1\", port = \"dss1\" }")], key: "fencing.device[0].options.port",
              mentions: "set by haclusterd", lineOf: "port = \"dss1\""),
        .init("fence level zero", [("delay = \"5s\"", "delay = \"5s\"\nlevel = 0")], key: "fencing.device[1].level",
              mentions: "out of range (allowed 1...9)", lineOf: "level = 0"),
        .init("agent given as a path", [("agent = \"fence_ipmilan\"\nnodes = [\"dss2\"]", "agent = \"/usr/sbin/fence_ipmilan\"\nnodes = [\"dss2\"]")],
              key: "fencing.device[1].agent", mentions: "no path", lineOf: "/usr/sbin/fence_ipmilan"),
        .init("single [fencing.device]",
              toml: ConfigFixtures.minimal + "\n[fencing.device]\nname = \"x\"\nagent = \"fence_dummy\"\nnodes = [\"a\"]\n",
              key: "fencing.device", mentions: "expected an array of tables ([[fencing.device]])", lineOf: "[fencing.device]"),
        .init("relative password file", [("nodes = [\"dss1\"]", "nodes = [\"dss1\"]\npassword_file = \"ipmi.pass\"")],
              key: "fencing.device[0].password_file", mentions: "absolute path", lineOf: "ipmi.pass"),
    ]

    @Test(arguments: cases)
    func invalidConfigurationIsRejected(_ example: InvalidConfigCase) throws {
        let path = "/etc/hacluster/haclusterd.toml"
        do {
            let config = try ConfigLoader.parse(toml: example.toml, path: path)
            Issue.record("accepted: \(config)")
        } catch {
            let match = error.errors.first { $0.keyPath == example.keyPath }
            let message = "\(error)"
            #expect(match != nil, "no error names \(example.keyPath); got:\n\(message)")
            guard let match else { return }
            let line = match.description
            #expect(line.hasPrefix(path), "the file is not named: \(line)")
            #expect(line.contains(example.mentions), "\(line)")
            #expect(!line.contains("\n"))
            if let fragment = example.lineOf {
                let expectedLine = try #require(ConfigFixtures.line(of: fragment, in: example.toml))
                #expect(match.line == expectedLine, "\(line)")
                #expect(line.hasPrefix("\(path):\(expectedLine): \(example.keyPath):"), "\(line)")
            }
            #expect(ConfigError.exitStatus == 2)
        }
    }

    @Test func thereAreAtLeastThirtyDistinctCases() {
        #expect(Self.cases.count >= 30)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
        #expect(Set(Self.cases.map(\.toml)).count == Self.cases.count)
    }

    /// The base all cases start from is itself valid, so each case fails for its own edit only.
    @Test func baseIsValid() throws {
        _ = try ConfigLoader.parse(toml: ConfigFixtures.base, path: nil)
        _ = try ConfigLoader.parse(toml: ConfigFixtures.minimal, path: nil)
    }
}
