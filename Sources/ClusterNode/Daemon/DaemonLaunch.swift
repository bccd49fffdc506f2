import ClusterCore
import ClusterHost
import FoundationEssentials
import Glibc
import Logging
import NIOCore

/// One start of the daemon from its command line: load and check the config, resolve
/// this node, read the test hooks, set up logging, run until an orderly shutdown.
/// Returns the exit status (0, 1 at run time, 2 for a bad command line or config) after
/// printing any error to stderr.
public struct DaemonLaunch: Sendable {
    /// Builds the etcd backend's runtime (`EtcdRuntime.factory`, in `haclusterd-etcd` only).
    public typealias EtcdRuntimeFactory = @Sendable (
        _ config: ClusterConfig, _ localNode: String, _ effects: any RuntimeEffects, _ incarnation: Incarnation, _ eventLoop: any EventLoop
    ) throws(RuntimeError) -> any CoordinationRuntime

    /// The executable with the etcd backend, looked for beside this one, then where the package puts it.
    public static let etcdExecutable = "haclusterd-etcd"
    public static let etcdExecutableInstalled = "/usr/libexec/haclusterd/haclusterd-etcd"

    public let configPath: String
    public let requestedNode: String?
    public let checkConfig: Bool
    public let etcdRuntime: EtcdRuntimeFactory?

    public init(configPath: String, requestedNode: String?, checkConfig: Bool, etcdRuntime: EtcdRuntimeFactory? = nil) {
        self.configPath = configPath
        self.requestedNode = requestedNode
        self.checkConfig = checkConfig
        self.etcdRuntime = etcdRuntime
    }

    public func run() async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        do throws(DaemonError) {
            let cluster = try Self.loadConfig(path: configPath)
            if checkConfig {
                print("\(configPath): configuration is valid")
                return 0
            }
            if cluster.cluster.backend == .etcd, etcdRuntime == nil {
                // Before anything on the node is touched: the same process goes on as haclusterd-etcd.
                try Self.execEtcdExecutable(configPath: configPath)
            }
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
                notifier: SystemdNotifier(environment: environment), hooks: hooks, environment: environment,
                etcdRuntime: etcdRuntime)
            try await daemon.run()
            return 0
        } catch {
            Syscall.writeAll(Array("haclusterd: \(error)\n".utf8), to: STDERR_FILENO)
            return error.exitStatus
        }
    }

    /// Replaces this process with `haclusterd-etcd` (same arguments, environment and PID, so
    /// systemd's supervision goes on), found beside this executable or where the package installs
    /// it. Returns only by throwing: not found, this is already `haclusterd-etcd` (built without
    /// the etcd backend), or `execv` failed.
    static func execEtcdExecutable(configPath: String) throws(DaemonError) {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let own = length > 0 ? String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        let directory = own.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let key = "\(configPath): cluster.backend = \"etcd\""
        guard own.split(separator: "/").last.map(String.init) != etcdExecutable else {
            throw .configuration(message: "\(key): this \(etcdExecutable) was built without the etcd backend "
                + "(swift build --disable-default-traits); build it with the default trait Etcd, or set backend = \"builtin\"")
        }
        let candidates = ["\(directory)/\(etcdExecutable)", etcdExecutableInstalled]
        guard let path = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw .configuration(message: "\(key) needs \(etcdExecutable), the daemon with the etcd backend, and there is none "
                + "(looked for \(candidates.joined(separator: " and "))); install it, or set backend = \"builtin\"")
        }
        let arguments = [path] + CommandLine.arguments.dropFirst()
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        execv(path, &argv)
        let error = errno
        for pointer in argv { free(pointer) }
        throw .configuration(message: "\(key): cannot run \(path): \(String(cString: strerror(error)))")
    }

    static func loadConfig(path: String) throws(DaemonError) -> ClusterConfig {
        do {
            return try ConfigLoader.load(path: path, checkFiles: true)
        } catch {
            throw .configuration(message: error.description)
        }
    }
}
