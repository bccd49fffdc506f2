import ClusterHost
import ClusterCore
import FoundationEssentials

/// What hactl reads from the configuration file without a daemon: the control
/// socket path, the node names (to catch typos before asking the cluster) and the service's
/// timeouts (how long `--wait` waits by default).
/// Goes through the same loader as `haclusterd --check-config` (`ConfigAdapter`).
enum HactlConfig {
    static let defaultPath = "/etc/hacluster/haclusterd.toml"

    /// `[cluster] control_socket`, when the file exists and loads.
    static func controlSocket(configPath: String) -> String? {
        guard FileManager.default.fileExists(atPath: configPath) else { return nil }
        return (try? ConfigAdapter.load(path: configPath, checkFiles: false))?.config.cluster.controlSocket
    }

    /// `[service]`, for the default bound of `--wait`.
    static func service(configPath: String) -> ServiceConfig? {
        guard FileManager.default.fileExists(atPath: configPath) else { return nil }
        return (try? ConfigAdapter.load(path: configPath, checkFiles: false))?.config.service
    }

    static func nodeNames(configPath: String) -> [String]? {
        guard FileManager.default.fileExists(atPath: configPath) else { return nil }
        return (try? ConfigAdapter.load(path: configPath, checkFiles: false))?.config.nodes.map(\.name)
    }
}
