import ClusterCore
import ClusterHost
import FoundationEssentials
import Glibc
import Logging

/// One start of the daemon from its command line: load and check the config, resolve
/// this node, read the test hooks, set up logging, run until an orderly shutdown.
/// Returns the exit status (0, 1 at run time, 2 for a bad command line or config) after
/// printing any error to stderr.
public struct DaemonLaunch: Sendable {
    public let configPath: String
    public let requestedNode: String?
    public let checkConfig: Bool

    public init(configPath: String, requestedNode: String?, checkConfig: Bool) {
        self.configPath = configPath
        self.requestedNode = requestedNode
        self.checkConfig = checkConfig
    }

    public func run() async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        do throws(DaemonError) {
            let cluster = try Self.loadConfig(path: configPath)
            if checkConfig {
                print("\(configPath): configuration is valid")
                return 0
            }
            #if !Etcd
            if cluster.cluster.backend == .etcd {
                // The configuration is valid (--check-config says so); this build has no etcd client.
                // Refused before anything on the node is touched.
                throw .configuration(message: "\(configPath): cluster.backend = \"etcd\": this haclusterd was built "
                    + "without the etcd backend (swift build --disable-default-traits); use a build with the default "
                    + "trait Etcd, or set backend = \"builtin\"")
            }
            #endif
            let resolver = NodeResolver(
                config: cluster, localAddresses: .current(), hostname: NodeResolver.currentHostname())
            let local = try resolver.resolve(requested: requestedNode)
            let hooks = try TestHooks(environment: environment)
            let logger = DaemonLogging.bootstrap(node: local.name, cluster: cluster.cluster.name, environment: environment)
            logger.notice("starting", metadata: [
                "config": "\(configPath)", "cluster": "\(cluster.cluster.name)", "pid": "\(getpid())",
                "log": "\(DaemonLogging.destination(environment: environment).rawValue)",
            ])
            // At every start (fencing disabled, a single node, an even number of voters, ...).
            for warning in ConfigLoader.warnings(for: cluster) {
                logger.warning("\(warning.description)", metadata: ["key": "\(warning.keyPath)"])
            }
            hooks.announce(to: logger)
            let daemon = Daemon(
                config: cluster, node: local, logger: logger,
                notifier: SystemdNotifier(environment: environment), hooks: hooks, environment: environment)
            try await daemon.run()
            return 0
        } catch {
            Syscall.writeAll(Array("haclusterd: \(error)\n".utf8), to: STDERR_FILENO)
            return error.exitStatus
        }
    }

    static func loadConfig(path: String) throws(DaemonError) -> ClusterConfig {
        do {
            return try ConfigLoader.load(path: path, checkFiles: true)
        } catch {
            throw .configuration(message: error.description)
        }
    }
}
