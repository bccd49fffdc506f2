import ArgumentParser
import ClusterCore
import Foundation
import Logging

/// `haclusterd [--config PATH] [--node NAME] [--check-config]`: the cluster
/// daemon, one per node.
@main
struct Haclusterd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haclusterd",
        abstract: "The haclusterd cluster daemon: runs on every node, elects the active node, moves the service.",
        discussion: """
            Exit status: 0 after an orderly shutdown (SIGTERM, SIGINT) or a valid --check-config, \
            1 when the daemon fails at run time, 2 for a bad command line or configuration.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "path"))
    var config = "/etc/hacluster/haclusterd.toml"

    @Option(name: .long, help: ArgumentHelp(
        "This node's name (default: the node whose address is local, else the hostname).", valueName: "name"))
    var node: String?

    @Flag(name: .long, help: "Validate the configuration (and the key file) and exit: 0 valid, 2 invalid.")
    var checkConfig = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        do throws(DaemonError) {
            let cluster = try Self.loadConfig(path: config)
            if checkConfig {
                print("\(config): configuration is valid")
                return
            }
            let resolver = NodeResolver(
                config: cluster, localAddresses: .current(), hostname: NodeResolver.currentHostname())
            let local = try resolver.resolve(requested: node)
            let hooks = try TestHooks(environment: environment)
            let logger = DaemonLogging.bootstrap(node: local.name, cluster: cluster.cluster.name, environment: environment)
            logger.notice("starting", metadata: [
                "config": "\(config)", "cluster": "\(cluster.cluster.name)", "pid": "\(getpid())",
                "log": "\(DaemonLogging.destination(environment: environment).rawValue)",
            ])
            // At every start (fencing disabled, a single node, an even number of voters, ...).
            for warning in ConfigLoader.warnings(for: cluster) {
                logger.warning("\(warning.description)", metadata: ["key": "\(warning.keyPath)"])
            }
            if !hooks.isEmpty {
                logger.warning("test-only hooks are set in the environment; never use them in production")
            }
            switch hooks.selfFence {
            case let .command(command):
                logger.critical("TEST HOOK \(TestHooks.selfFenceCommandVariable) is set: this node will NOT reboot when it must self-fence; it runs '\(command)' and exits 70")
            case let .redirected(trigger, systemctl):
                logger.critical("TEST HOOK \(TestHooks.sysrqTriggerVariable) is set: self-fencing writes to \(trigger) and runs \(systemctl); this node will NOT reboot")
            case nil:
                break
            }
            let daemon = Daemon(
                config: cluster, node: local, logger: logger,
                notifier: SystemdNotifier(environment: environment), hooks: hooks, environment: environment)
            try await daemon.run()
        } catch {
            Self.printError("haclusterd: \(error)")
            throw ExitCode(error.exitStatus)
        }
    }

    static func loadConfig(path: String) throws(DaemonError) -> ClusterConfig {
        do {
            return try ConfigLoader.load(path: path, checkFiles: true)
        } catch {
            throw .configuration(message: error.description)
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
