/// The `[cluster]` section.
public struct ClusterSettings: Sendable, Equatable {
    public var name: String
    public var keyFile: String
    public var stateDir: String
    public var controlSocket: String
    /// UDP port for heartbeats and the protocol.
    public var port: UInt16
    public var heartbeatInterval: Duration
    /// A peer not heard from this long is failed.
    public var failureTimeout: Duration
    /// `control_read_group`: members may run the reading commands (`status`, `events`,
    /// `config show`...) and nothing else; nil: none (only root and `haclient`).
    public var controlReadGroup: String? = nil
    /// `backend`: the built-in protocol (default) or etcd (`[etcd]`).
    public var backend: CoordinationBackend = .builtin

    public static let defaultKeyFile = "/etc/hacluster/authkey"
    public static let defaultStateDir = "/var/lib/hacluster"
    public static let defaultControlSocket = "/run/hacluster/control.sock"
    public static let defaultPort: UInt16 = 5405

    public init(
        name: String,
        keyFile: String = ClusterSettings.defaultKeyFile,
        stateDir: String = ClusterSettings.defaultStateDir,
        controlSocket: String = ClusterSettings.defaultControlSocket,
        port: UInt16 = ClusterSettings.defaultPort,
        heartbeatInterval: Duration = .milliseconds(200),
        failureTimeout: Duration = .seconds(1)
    ) {
        self.name = name
        self.keyFile = keyFile
        self.stateDir = stateDir
        self.controlSocket = controlSocket
        self.port = port
        self.heartbeatInterval = heartbeatInterval
        self.failureTimeout = failureTimeout
    }
}
