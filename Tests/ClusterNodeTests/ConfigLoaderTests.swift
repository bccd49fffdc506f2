@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

@Suite struct ConfigLoaderTests {
    @Test func exampleConfigurationInEtcIsValid() throws {
        let config = try ConfigLoader.load(path: ConfigFixtures.examplePath, checkFiles: false)
        #expect(config.sourcePath == ConfigFixtures.examplePath)
        #expect(config.cluster.name == "dss_cluster")
        #expect(config.cluster.port == 5405)
        #expect(config.cluster.heartbeatInterval == .milliseconds(200))
        #expect(config.cluster.failureTimeout == .seconds(1))
        #expect(config.nodes.map(\.name) == ["dss1", "dss2", "dss3"])
        #expect(config.nodes[0].addresses == ["198.18.1.11", "198.18.2.11"])
        #expect(config.nodes[2].role == .witness)
        #expect(config.serviceNodes.map(\.name) == ["dss1", "dss2"])
        #expect(config.service.units == ["dataiku.service"])
        #expect(config.service.healthURL == "http://127.0.0.1:11200/dip/api/ping")
        #expect(config.service.failureExpiry == .seconds(600))
        #expect(config.storage.lockFile == "/dataiku/.hacluster.lock")
        #expect(config.floatingIPs == [FloatingIPConfig(address: "198.18.1.50", prefixLength: 24, interface: "eth0", arpCount: 5)])
        #expect(config.fencing.enabled && config.fencing.action == .reboot && config.fencing.timeout == .seconds(60))
        #expect(config.fencing.devices.map(\.name) == ["ipmi-dss1", "ipmi-dss2", "pdu"])
        #expect(config.fencing.devices[0].options == ["ip": "10.0.0.101", "username": "admin", "lanplus": "1"])
        #expect(config.fencing.devices[0].passwordFile == "/etc/hacluster/ipmi-dss1.pass")
        #expect(config.fencing.devices[2].hostMap == ["dss1": "1", "dss2": "2"])
        #expect(config.fencing.levels(for: "dss1").map(\.level) == [1, 2])
        #expect(ConfigLoader.warnings(for: config) == [])
    }

    /// The example states every default: reading it with all optional keys removed gives the same values.
    @Test func exampleStatesTheDefaults() throws {
        let config = try ConfigLoader.load(path: ConfigFixtures.examplePath, checkFiles: false)
        let defaults = ClusterSettings(name: config.cluster.name)
        #expect(config.cluster == defaults)
        #expect(config.quorum == QuorumSettings())
        #expect(config.fencing.agentDir == FencingConfig().agentDir)
        #expect(config.fencing.watchdog == nil && config.fencing.watchdogTimeout == .seconds(10))
        var service = ServiceConfig(name: "dataiku", units: ["dataiku.service"])
        service.healthURL = config.service.healthURL
        #expect(config.service == service)
        #expect(config.storage == StorageConfig(path: "/dataiku"))
    }

    @Test func minimalConfigurationGetsEveryDefault() throws {
        let config = try ConfigLoader.parse(toml: ConfigFixtures.minimal, path: ConfigFixtures.minimalPath)
        #expect(config.cluster.name == "mini")
        #expect(config.cluster.keyFile == "/etc/hacluster/authkey")
        #expect(config.cluster.stateDir == "/var/lib/hacluster")
        #expect(config.cluster.controlSocket == "/run/hacluster/control.sock")
        #expect(config.cluster.port == 5405)
        #expect(config.cluster.heartbeatInterval == .milliseconds(200))
        #expect(config.cluster.failureTimeout == .seconds(1))
        #expect(config.quorum.twoNode == false)
        #expect(config.quorum.waitForAll == false)
        #expect(config.nodes == [NodeConfig(name: "a", addresses: ["198.18.0.1"], priority: 100, role: .full)])
        #expect(config.service.systemdBus == .system)
        #expect(config.service.startTimeout == .seconds(600))
        #expect(config.service.stopTimeout == .seconds(600))
        #expect(config.service.monitorInterval == .seconds(10))
        #expect(config.service.healthURL == nil)
        #expect(config.service.migrationThreshold == 3)
        #expect(config.service.failureExpiry == .seconds(600))
        #expect(config.storage.lockFile == "/srv/shared/.hacluster.lock")
        #expect(config.storage.acquireTimeout == .seconds(30))
        #expect(config.floatingIPs.isEmpty)
        #expect(config.fencing.enabled == false)
        #expect(config.fencing.agentDir == "/usr/sbin")
        #expect(config.fencing.action == .reboot)
        #expect(config.fencing.timeout == .seconds(60))
        #expect(config.fencing.devices.isEmpty)
        #expect(config.fencing.watchdog == nil)
        #expect(config.fencing.watchdogTimeout == .seconds(10))
        #expect(ConfigLoader.warnings(for: config) == [.fencingDisabled, .singleNode])
    }

    @Test func fencingIsOnByDefault() throws {
        let text = ConfigFixtures.minimal.replacingOccurrences(of: "[fencing]\nenabled = false", with: "")
        #expect(text != ConfigFixtures.minimal)
        #expect {
            try ConfigLoader.parse(toml: text, path: ConfigFixtures.minimalPath)
        } throws: { error in
            (error as? ConfigError)?.errors.contains { if case .inconsistent(_, .nodeNotFenced("a")) = $0 { true } else { false } } == true
        }
    }

    @Test func everyOptionalValueIsRead() throws {
        let text = ConfigFixtures.base(replacing: [
            ("port = 5405", "port = 6000"),
            ("heartbeat_interval = \"200ms\"", "heartbeat_interval = \"100MS\""),
            ("failure_timeout = \"1s\"", "failure_timeout = 2"),
            ("wait_for_all = true", "wait_for_all = false"),
            ("systemd_bus = \"system\"", "systemd_bus = \"user\"\nstop_timeout = \"2min\"\nmonitor_interval = \"500ms\"\nfailure_expiry = \"1h\""),
            ("migration_threshold = 3", "migration_threshold = 7"),
            ("lock_file = \"/dataiku/.hacluster.lock\"", "lock_file = \"/dataiku/locks/ha.lock\"\nacquire_timeout = \"0s\""),
            ("interface = \"eth0\"", "arp_count = 0\nduplicate_check = \"0s\"\n\n[[floating_ip]]\naddress = \"2001:DB8:0::50/64\"\nduplicate_check_always = true"),
            ("action = \"reboot\"", "action = \"off\"\nagent_dir = \"/opt/fence\"\ntimeout = \"90s\"\nwatchdog = \"/dev/watchdog\"\nwatchdog_timeout = \"15s\""),
            ("options = { ip = \"10.0.0.101\", username = \"admin\", lanplus = \"1\" }",
             "options = { ip = \"10.0.0.101\", ipport = 623, lanplus = true, verbose = false }\npassword_file = \"/etc/hacluster/ipmi.pass\"\nlevel = 3"),
            ("nodes = [\"dss2\"]", "host_map = \"dss2=4,5  dss1:7\""),
        ])
        let config = try ConfigLoader.parse(toml: text, path: "/x.toml")
        #expect(config.cluster.port == 6000)
        #expect(config.cluster.heartbeatInterval == .milliseconds(100))
        #expect(config.cluster.failureTimeout == .seconds(2))
        #expect(config.quorum.waitForAll == false)
        #expect(config.service.systemdBus == .user)
        #expect(config.service.stopTimeout == .seconds(120))
        #expect(config.service.monitorInterval == .milliseconds(500))
        #expect(config.service.failureExpiry == .seconds(3600))
        #expect(config.service.migrationThreshold == 7)
        #expect(config.storage.lockFile == "/dataiku/locks/ha.lock")
        #expect(config.storage.acquireTimeout == .zero)
        #expect(config.floatingIPs == [
            FloatingIPConfig(address: "198.18.1.50", prefixLength: 24, interface: nil, arpCount: 0, duplicateCheck: .zero),
            FloatingIPConfig(address: "2001:db8::50", prefixLength: 64, duplicateCheckAlways: true),
        ])
        #expect(config.floatingIPs[1].isIPv6)
        #expect(config.fencing.action == .off)
        #expect(config.fencing.agentDir == "/opt/fence")
        #expect(config.fencing.timeout == .seconds(90))
        #expect(config.fencing.watchdog == "/dev/watchdog")
        #expect(config.fencing.watchdogTimeout == .seconds(15))
        let ipmi = config.fencing.devices[0]
        #expect(ipmi.options == ["ip": "10.0.0.101", "ipport": "623", "lanplus": "1"])
        #expect(ipmi.passwordFile == "/etc/hacluster/ipmi.pass")
        #expect(ipmi.level == 3)
        let second = config.fencing.devices[1]
        #expect(second.nodes.isEmpty)
        #expect(second.hostMap == ["dss2": "4,5", "dss1": "7"])
        #expect(second.port(for: "dss2") == "4,5")
        #expect(second.delay == .seconds(5))
    }

    /// failure_timeout must be strictly larger than 3 × heartbeat_interval: the boundary itself is refused.
    @Test func failureTimeoutBoundary() throws {
        func parse(_ failure: String) throws -> ClusterConfig {
            try ConfigLoader.parse(toml: ConfigFixtures.base(replacing: [("failure_timeout = \"1s\"", "failure_timeout = \"\(failure)\"")]), path: nil)
        }
        #expect(throws: ConfigError.self) { try parse("600ms") }
        #expect(try parse("601ms").cluster.failureTimeout == .milliseconds(601))
    }

    @Test func addressesAreStoredInCanonicalForm() throws {
        let text = ConfigFixtures.base(replacing: [("\"198.18.1.13\"", "\"2001:DB8:0:0::13\"")])
        let config = try ConfigLoader.parse(toml: text, path: nil)
        #expect(config.nodes[2].addresses == ["2001:db8::13"])
        // The same address written differently on two nodes is a duplicate.
        let duplicate = ConfigFixtures.base(replacing: [("\"198.18.1.13\"", "\"2001:DB8:0:0::13\""),
                                                        ("\"198.18.2.12\"", "\"2001:db8::13\"")])
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(toml: duplicate, path: nil) }
    }

    @Test func errorsNameFileLineAndKey() {
        let text = ConfigFixtures.base(replacing: [("start_timeout = \"600s\"", "start_timeout = \"10 minutes\"")])
        #expect {
            try ConfigLoader.parse(toml: text, path: "/etc/hacluster/haclusterd.toml")
        } throws: { error in
            let line = ConfigFixtures.line(of: "10 minutes", in: text)!
            return "\(error)" == "/etc/hacluster/haclusterd.toml:\(line): service.start_timeout: \"10 minutes\" is not a duration: "
                + "unknown unit \"minutes\" (units: ms, s, min, h) (expected e.g. \"600s\", \"10min\", \"200ms\")"
        }
    }

    @Test func allIndependentErrorsAreReportedInFileOrder() throws {
        let text = ConfigFixtures.base(replacing: [
            ("port = 5405", "port = 0"),
            ("systemd_bus = \"system\"", "systemd_bus = \"session\""),
            ("action = \"reboot\"", "action = \"poweroff\""),
        ])
        do {
            _ = try ConfigLoader.parse(toml: text, path: "/c.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.map(\.keyPath) == ["cluster.port", "service.systemd_bus", "fencing.action"])
            #expect(error.errors.map(\.line) == [
                ConfigFixtures.line(of: "port = 0", in: text), ConfigFixtures.line(of: "session", in: text),
                ConfigFixtures.line(of: "poweroff", in: text),
            ])
            #expect("\(error)".split(separator: "\n").count == 3)
        }
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        let text = ConfigFixtures.base(replacing: [("name = \"dataiku\"", "name = \"dataiku")])
        #expect {
            try ConfigLoader.parse(toml: text, path: "/c.toml")
        } throws: { error in
            guard case .syntax(let file, let line, _, _) = error as? ConfigError else { return false }
            return file == "/c.toml" && line == ConfigFixtures.line(of: "name = \"dataiku", in: text)
                && "\(error)".hasPrefix("/c.toml:\(line):")
        }
    }

    @Test func missingOrUnreadableFileIsAnError() throws {
        #expect(throws: ConfigError.unreadable(file: "/nonexistent/haclusterd.toml", reason: String(cString: strerror(ENOENT)))) {
            try ConfigLoader.load(path: "/nonexistent/haclusterd.toml")
        }
        let dir = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: ConfigError.unreadable(file: dir.path, reason: String(cString: strerror(EISDIR)))) { try ConfigLoader.load(path: dir.path) }
        let binary = dir.appendingPathComponent("binary.toml")
        try Data([0x5B, 0x63, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: binary)
        #expect(throws: ConfigError.syntax(file: binary.path, line: 2, column: 1, message: "the file is not UTF-8 text")) {
            try ConfigLoader.load(path: binary.path)
        }
    }

    /// checkFiles: the key file and the password files are read as this machine sees them.
    @Test func checkFilesReadsTheKeyAndPasswordFiles() throws {
        let dir = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("authkey")
        let password = dir.appendingPathComponent("ipmi.pass")
        try ConfigFixtures.write(ConfigFixtures.randomBytes(64), to: key, mode: 0o600)
        try ConfigFixtures.write(Array("secret\n".utf8), to: password, mode: 0o600)
        let agents = dir.appendingPathComponent("agents")
        try FileManager.default.createDirectory(at: agents, withIntermediateDirectories: false)
        try ConfigFixtures.write(Array("#!/bin/sh\nexit 0\n".utf8), to: agents.appendingPathComponent("fence_ipmilan"), mode: 0o755)
        let text = ConfigFixtures.base(replacing: [
            ("key_file = \"/etc/hacluster/authkey\"", "key_file = \"\(key.path)\""),
            ("action = \"reboot\"", "agent_dir = \"\(agents.path)\""),
            ("nodes = [\"dss1\"]", "nodes = [\"dss1\"]\npassword_file = \"\(password.path)\""),
        ])
        let configPath = dir.appendingPathComponent("haclusterd.toml")
        try Data(text.utf8).write(to: configPath)
        let config = try ConfigLoader.load(path: configPath.path)
        #expect(config.fencing.devices[0].passwordFile == password.path)

        // Each file broken in turn is reported under its key.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.path)
        #expect { try ConfigLoader.load(path: configPath.path) } throws: { error in
            (error as? ConfigError)?.errors.map(\.keyPath) == ["cluster.key_file"]
                && "\(error)".contains("mode 0644") && "\(error)".contains(configPath.path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
        try FileManager.default.removeItem(at: password)
        #expect { try ConfigLoader.load(path: configPath.path) } throws: { error in
            (error as? ConfigError)?.errors.map(\.keyPath) == ["fencing.device[0].password_file"]
                && "\(error)".contains("does not exist")
        }
        try ConfigFixtures.write(Array("secret\n".utf8), to: password, mode: 0o640)
        #expect { try ConfigLoader.load(path: configPath.path) } throws: { error in
            (error as? ConfigError)?.errors.map(\.keyPath) == ["fencing.device[0].password_file"]
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: password.path)
        try FileManager.default.removeItem(at: agents.appendingPathComponent("fence_ipmilan"))
        #expect { try ConfigLoader.load(path: configPath.path) } throws: { error in
            (error as? ConfigError)?.errors.map(\.keyPath) == ["fencing.device[0].agent", "fencing.device[1].agent"]
        }
        try ConfigFixtures.write(Array("#!/bin/sh\nexit 0\n".utf8), to: agents.appendingPathComponent("fence_ipmilan"), mode: 0o757)
        #expect { try ConfigLoader.load(path: configPath.path) } throws: { error in
            (error as? ConfigError)?.errors.map(\.keyPath) == ["fencing.device[0].agent", "fencing.device[1].agent"]
                && "\(error)".contains("mode 0757 lets group or others change what runs as root")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: agents.appendingPathComponent("fence_ipmilan").path)
        _ = try ConfigLoader.load(path: configPath.path)

        // A configuration anyone can edit could point agent_dir anywhere.
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: configPath.path)
        #expect { try ConfigLoader.load(path: configPath.path) } throws: { error in
            "\(error)" == "\(configPath.path): mode 0666 lets group or others change what runs as root: chmod go-w \(configPath.path)"
        }

        // Without checkFiles the same file is fine.
        _ = try ConfigLoader.load(path: configPath.path, checkFiles: false)
    }

    /// The fence agents of the fence-agents package, where Debian installs them (scripts/bootstrap installs it).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/fence_ipmilan"), "fence-agents is not installed"))
    func checkFilesFindsRealFenceAgents() throws {
        let dir = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("authkey")
        try ConfigFixtures.write(ConfigFixtures.randomBytes(64), to: key, mode: 0o600)
        let text = ConfigFixtures.base(replacing: [("key_file = \"/etc/hacluster/authkey\"", "key_file = \"\(key.path)\"")])
        let config = try ConfigLoader.parse(toml: text, path: "/c.toml", checkFiles: true)
        #expect(config.fencing.agentDir == "/usr/sbin")
        let missing = ConfigFixtures.base(replacing: [("key_file = \"/etc/hacluster/authkey\"", "key_file = \"\(key.path)\""),
                                                      ("agent = \"fence_ipmilan\"", "agent = \"fence_ipmilann\"")])
        #expect { try ConfigLoader.parse(toml: missing, path: "/c.toml", checkFiles: true) } throws: { error in
            (error as? ConfigError)?.errors.map(\.keyPath) == ["fencing.device[0].agent"]
                && "\(error)".contains("/usr/sbin/fence_ipmilann is not an executable fence agent")
        }
    }

    @Test func warnings() throws {
        func warnings(_ edits: [(String, String)]) throws -> [ConfigWarning] {
            ConfigLoader.warnings(for: try ConfigLoader.parse(toml: ConfigFixtures.base(replacing: edits), path: nil))
        }
        #expect(try warnings([]) == [])
        #expect(try warnings([("enabled = true", "enabled = false")]) == [.fencingDisabled, .fenceDevicesIgnored(count: 2)])
        // Two voting nodes without two_node: either failure stops the service.
        let twoNodes = ("[[node]]\nname = \"dss3\"\naddresses = [\"198.18.1.13\"]\nrole = \"witness\"\n", "")
        #expect(try warnings([twoNodes]) == [.evenVotingNodes(count: 2)])
        #expect(try warnings([twoNodes, ("two_node = false", "two_node = true")]) == [])
        // The default race_delay settles 2-node fence races; without it and without a device delay, warn.
        #expect(try warnings([twoNodes, ("two_node = false", "two_node = true"), ("delay = \"5s\"", "delay = \"0s\"")])
                == [])
        #expect(try warnings([twoNodes, ("two_node = false", "two_node = true"), ("delay = \"5s\"", "delay = \"0s\""),
                              ("action = \"reboot\"", "action = \"reboot\"\nrace_delay = \"0s\"")])
                == [.twoNodeWithoutFenceDelay])
        #expect(try warnings([twoNodes, ("two_node = false", "two_node = true"), ("wait_for_all = true", "wait_for_all = false")])
                == [.twoNodeWithoutWaitForAll])
        #expect(ConfigWarning.fencingDisabled.description
                    .contains("running without fencing: a node that stops answering cannot be safely replaced"))
    }
}
