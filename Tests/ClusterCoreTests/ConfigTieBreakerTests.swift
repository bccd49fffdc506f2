import ClusterCore
import CoreTestSupport
import Foundation
import Testing

/// `[quorum] tie_breaker = "storage"`, `storage_timeout`, `[storage] arbiter_file` and the
/// built-in `agent = "storage"` fence device, as parsed (the refusals are in ConfigInvalidTests).
struct ConfigTieBreakerTests {
    static let twoNodesAndANAS = ConfigFixtures.base(replacing: [
        ("[[node]]\nname = \"dss3\"\naddresses = [\"198.18.1.13\"]\nrole = \"witness\"\n", ""),
        ("two_node = false", "two_node = true\ntie_breaker = \"storage\""),
        ("action = \"reboot\"", "action = \"reboot\"\nwatchdog = \"/dev/watchdog\"\nwatchdog_timeout = \"5s\""),
        ("[[fencing.device]]\nname = \"ipmi-dss1\"", "[[fencing.device]]\nname = \"pill\"\nagent = \"storage\"\nnodes = [\"dss1\", \"dss2\"]\nlevel = 2\n\n[[fencing.device]]\nname = \"ipmi-dss1\""),
    ])

    @Test func defaultsFollowTheStorageAndTheHeartbeat() throws {
        let config = try ConfigLoader.parse(toml: Self.twoNodesAndANAS, path: "/etc/hacluster/haclusterd.toml")
        #expect(config.quorum.tieBreaker == .storage)
        #expect(config.usesStorageTieBreaker)
        #expect(config.storageTimeout == .seconds(1), "5 × heartbeat_interval")
        #expect(config.storage.arbiterFile == "/dataiku/.hacluster/arbiter")
        let pill = try #require(config.fencing.devices.first { $0.isStorage })
        #expect(config.fencing.msgwait(of: pill) == .seconds(10), "2 × watchdog_timeout")
    }

    @Test func explicitValues() throws {
        let text = Self.twoNodesAndANAS
            .replacingOccurrences(of: "tie_breaker = \"storage\"", with: "tie_breaker = \"storage\"\nstorage_timeout = \"3s\"")
            .replacingOccurrences(of: "lock_file = \"/dataiku/.hacluster.lock\"", with: "lock_file = \"/dataiku/.hacluster.lock\"\narbiter_file = \"/dataiku/ha/arb\"")
            .replacingOccurrences(of: "level = 2\n", with: "level = 2\noptions = { msgwait = \"30s\" }\n")
        let config = try ConfigLoader.parse(toml: text, path: "/etc/hacluster/haclusterd.toml")
        #expect(config.storageTimeout == .seconds(3))
        #expect(config.storage.arbiterFile == "/dataiku/ha/arb")
        #expect(config.fencing.msgwait(of: try #require(config.fencing.devices.first { $0.isStorage })) == .seconds(30))
    }

    @Test func aStorageTimeoutBelowTheFailureTimeoutIsAWarning() throws {
        let config = try ConfigLoader.parse(toml: Self.twoNodesAndANAS, path: nil)
        #expect(!ConfigLoader.warnings(for: config).contains { $0.keyPath == "quorum.storage_timeout" }, "the defaults are equal: 1s")
        let short = try ConfigLoader.parse(toml: Self.twoNodesAndANAS.replacingOccurrences(
            of: "tie_breaker = \"storage\"", with: "tie_breaker = \"storage\"\nstorage_timeout = \"800ms\""), path: nil)
        let warning = try #require(ConfigLoader.warnings(for: short).first { $0.keyPath == "quorum.storage_timeout" })
        #expect(warning == .storageTimeoutBelowFailureTimeout(storageTimeout: .milliseconds(800), failureTimeout: .seconds(1)))
        #expect(warning.description.contains("800ms is shorter than cluster.failure_timeout (1s)"), "\(warning)")
    }

    @Test func theDefaultIsNoTieBreaker() throws {
        let config = try ConfigLoader.parse(toml: ConfigFixtures.base, path: nil)
        #expect(config.quorum.tieBreaker == .none)
        #expect(!config.usesStorageTieBreaker)
    }
}
