import ClusterHost
import ClusterCore
import FoundationEssentials

/// What hactl reads from the configuration file without a daemon: the control
/// socket path and the node names (to catch typos before asking the cluster).
/// Goes through the same loader as `haclusterd --check-config` (`ConfigAdapter`).
enum HactlConfig {
    static let defaultPath = "/etc/hacluster/haclusterd.toml"

    /// `[cluster] control_socket`, when the file exists and loads.
    static func controlSocket(configPath: String) -> String? {
        guard FileManager.default.fileExists(atPath: configPath) else { return nil }
        return (try? ConfigAdapter.load(path: configPath, checkFiles: false))?.config.cluster.controlSocket
    }

    static func nodeNames(configPath: String) -> [String]? {
        guard FileManager.default.fileExists(atPath: configPath) else { return nil }
        return (try? ConfigAdapter.load(path: configPath, checkFiles: false))?.config.nodes.map(\.name)
    }
}
