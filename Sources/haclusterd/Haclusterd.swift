import ArgumentParser
import BuildInfo
import ClusterCore
import ClusterNode

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
            """,
        version: BuildInfo.versionLine(program: "haclusterd", release: ProductVersion.current)
    )

    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "path"))
    var config = "/etc/hacluster/haclusterd.toml"

    @Option(name: .long, help: ArgumentHelp(
        "This node's name (default: the node whose address is local, else the hostname).", valueName: "name"))
    var node: String?

    @Flag(name: .long, help: "Validate the configuration (and the key file) and exit: 0 valid, 2 invalid.")
    var checkConfig = false

    func run() async throws {
        let status = await DaemonLaunch(configPath: config, requestedNode: node, checkConfig: checkConfig).run()
        if status != 0 { throw ExitCode(status) }
    }
}
