import Foundation
import Synchronization

/// A single-node cluster configuration in a scratch directory: key (0600),
/// state directory, control socket and shared storage all inside it, fencing
/// disabled, a user-manager service bus.
struct DaemonTestConfig {
    let directory: URL
    let clusterName: String
    let nodeName: String
    let nodeAddress: String
    let port: UInt16

    var configPath: String { directory.appendingPathComponent("haclusterd.toml").path }
    var keyPath: String { directory.appendingPathComponent("authkey").path }
    var stateDirectory: String { directory.appendingPathComponent("state").path }
    var controlSocket: String { directory.appendingPathComponent("run/control.sock").path }
    var sharedStorage: String { directory.appendingPathComponent("shared").path }

    /// The local node is a witness (plus a full peer that never runs): it needs no
    /// systemd manager, so the daemon can run outside one.
    let localWitness: Bool

    init(
        directory: URL, clusterName: String = "sdtest", nodeName: String = "n1", nodeAddress: String = "127.0.0.1",
        localWitness: Bool = false
    ) {
        self.directory = directory
        self.clusterName = clusterName
        self.nodeName = nodeName
        self.nodeAddress = nodeAddress
        self.localWitness = localWitness
        port = Self.nextPort()
    }

    /// A UDP port per configuration: suites run in parallel in one process, and two daemons
    /// on one port would make the second fail. Away from the default 5405.
    private static let ports = Mutex(20000 + Int(getpid() % 1000) * 20)

    static func nextPort() -> UInt16 {
        ports.withLock { next in
            defer { next = next >= 40000 ? 20000 : next + 1 }
            return UInt16(next)
        }
    }

    /// Writes the key and the configuration; `extra` is appended verbatim (more TOML).
    func write(serviceUnit: String = "hacd-sdtest-demo.service", stopTimeout: String = "10s", extra: String = "") throws {
        try FileManager.default.createDirectory(atPath: sharedStorage, withIntermediateDirectories: true)
        var key = [UInt8](repeating: 0, count: 64)
        for index in key.indices { key[index] = UInt8.random(in: 0...255) }
        _ = FileManager.default.createFile(atPath: keyPath, contents: Data(key), attributes: [.posixPermissions: 0o600])
        try writeConfigOnly(serviceUnit: serviceUnit, stopTimeout: stopTimeout, extra: extra)
    }

    /// Writes the configuration file only (mode 0644: not writable by others).
    func writeConfigOnly(serviceUnit: String = "hacd-sdtest-demo.service", stopTimeout: String = "10s", extra: String = "") throws {
        let text = """
            # Single-node test cluster (written by DaemonTestConfig).
            [cluster]
            name = "\(clusterName)"
            key_file = "\(keyPath)"
            state_dir = "\(stateDirectory)"
            control_socket = "\(controlSocket)"
            port = \(port)
            heartbeat_interval = "100ms"
            failure_timeout = "500ms"

            [quorum]
            wait_for_all = false

            [[node]]
            name = "\(nodeName)"
            addresses = ["\(nodeAddress)"]
            \(localWitness ? "role = \"witness\"\n\n[[node]]\nname = \"peer\"\naddresses = [\"198.18.255.253\"]" : "")

            [service]
            name = "demo"
            units = ["\(serviceUnit)"]
            systemd_bus = "user"
            start_timeout = "10s"
            stop_timeout = "\(stopTimeout)"
            monitor_interval = "1s"

            [storage]
            path = "\(sharedStorage)"
            acquire_timeout = "2s"
            require_mount = false

            [fencing]
            enabled = false

            """ + extra
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        chmod(configPath, 0o644)
    }
}
