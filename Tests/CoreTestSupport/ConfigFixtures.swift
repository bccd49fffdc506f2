import Foundation
import ClusterCore

/// Shared text and helpers of the Config* tests.
public enum ConfigFixtures {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var examplePath: String { repositoryRoot.appendingPathComponent("etc/haclusterd.toml").path }

    public static let minimalPath = "/etc/hacluster/minimal.toml"
    /// Only the required keys.
    public static let minimal = """
        [cluster]
        name = "mini"

        [[node]]
        name = "a"
        addresses = ["198.18.0.1"]

        [service]
        name = "web"
        units = ["web.service"]

        [storage]
        path = "/srv/shared"

        [fencing]
        enabled = false
        """

    /// A valid three-node configuration that the invalid cases each break in one place.
    public static let base = """
        [cluster]
        name = "dss_cluster"
        key_file = "/etc/hacluster/authkey"
        state_dir = "/var/lib/hacluster"
        port = 5405
        heartbeat_interval = "200ms"
        failure_timeout = "1s"

        [quorum]
        two_node = false
        wait_for_all = true

        [[node]]
        name = "dss1"
        addresses = ["198.18.1.11", "198.18.2.11"]
        priority = 100

        [[node]]
        name = "dss2"
        addresses = ["198.18.1.12", "198.18.2.12"]

        [[node]]
        name = "dss3"
        addresses = ["198.18.1.13"]
        role = "witness"

        [service]
        name = "dataiku"
        units = ["dataiku.service"]
        systemd_bus = "system"
        start_timeout = "600s"
        migration_threshold = 3
        health_url = "http://127.0.0.1:11200/dip/api/ping"

        [storage]
        path = "/dataiku"
        lock_file = "/dataiku/.hacluster.lock"

        [[floating_ip]]
        address = "198.18.1.50/24"
        interface = "eth0"

        [fencing]
        enabled = true
        action = "reboot"

        [[fencing.device]]
        name = "ipmi-dss1"
        agent = "fence_ipmilan"
        nodes = ["dss1"]
        options = { ip = "10.0.0.101", username = "admin", lanplus = "1" }

        [[fencing.device]]
        name = "ipmi-dss2"
        agent = "fence_ipmilan"
        nodes = ["dss2"]
        delay = "5s"
        options = { ip = "10.0.0.102", username = "admin" }
        """

    /// `base` with each `(old, new)` replaced once; traps if `old` is not there, so a case can never
    /// silently test the unmodified file.
    public static func base(replacing edits: [(String, String)]) -> String {
        var text = base
        for (old, new) in edits {
            guard let range = text.range(of: old) else { fatalError("fixture does not contain \(old)") }
            text.replaceSubrange(range, with: new)
        }
        return text
    }

    /// 1-based number of the first line of `text` containing `fragment`.
    public static func line(of fragment: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains(fragment) }
            .map { $0 + 1 }
    }

    /// A fresh private temporary directory, removed by the caller.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("haconfig-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        return url
    }

    /// Writes `bytes` to `url` with `mode`.
    public static func write(_ bytes: [UInt8], to url: URL, mode: Int) throws {
        try Data(bytes).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
