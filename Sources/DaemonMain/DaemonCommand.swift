import ArgumentParser
import BuildInfo
import ClusterCore
import ClusterNode

/// `haclusterd [--config PATH] [--node NAME] [--check-config]`: the cluster daemon's command
/// line, shared by `haclusterd` and `haclusterd-etcd` (the same daemon with the etcd backend
/// linked in: gRPC, swift-protobuf and Foundation, which the built-in backend does not load).
public struct DaemonCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "haclusterd",
        abstract: "The haclusterd cluster daemon: runs on every node, elects the active node, moves the service.",
        discussion: """
            Exit status: 0 after an orderly shutdown (SIGTERM, SIGINT) or a valid --check-config, \
            1 when the daemon fails at run time, 2 for a bad command line or configuration.
            """,
        version: BuildInfo.versionLine(program: "haclusterd", release: ProductVersion.current)
    )

    /// The etcd backend's runtime, set by `haclusterd-etcd` before `main()`; nil in `haclusterd`,
    /// which hands a configuration with `backend = "etcd"` over to `haclusterd-etcd` (`execv`).
    nonisolated(unsafe) public static var etcdRuntime: DaemonLaunch.EtcdRuntimeFactory?

    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "path"))
    var config = "/etc/hacluster/haclusterd.toml"

    @Option(name: .long, help: ArgumentHelp(
        "This node's name (default: the node whose address is local, else the hostname).", valueName: "name"))
    var node: String?

    @Flag(name: .long, help: "Validate the configuration (and the key file) and exit: 0 valid, 2 invalid.")
    var checkConfig = false

    public init() {}

    /// Parses the command line and runs the daemon (what each executable's `main` calls).
    public static func start() async {
        await main()
    }

    public func run() async throws {
        let status = await DaemonLaunch(
            configPath: config, requestedNode: node, checkConfig: checkConfig, etcdRuntime: Self.etcdRuntime).run()
        if status != 0 { throw ExitCode(status) }
    }
}
