/// One `[[fencing.device]]` entry: a ClusterLabs-compatible fence agent and its options.
public struct FenceDeviceConfig: Sendable, Equatable {
    public var name: String
    /// Agent executable name, e.g. `fence_ipmilan`, looked up in `agent_dir`.
    public var agent: String
    /// Nodes this device fences (node name is passed as the agent's port/plug).
    public var nodes: [String]
    /// `host_map = "dss1:1;dss2:2"`: node name -> port/plug on the device.
    public var hostMap: [String: String]
    /// Levels are tried in ascending order until one succeeds.
    public var level: Int
    /// Fixed delay before fencing (2-node fence races).
    public var delay: Duration
    /// Agent options, passed on stdin as `key=value` lines.
    public var options: [String: String]
    /// Secret, read at fencing time and passed on stdin only.
    public var passwordFile: String?

    public init(
        name: String,
        agent: String,
        nodes: [String] = [],
        hostMap: [String: String] = [:],
        level: Int = 1,
        delay: Duration = .zero,
        options: [String: String] = [:],
        passwordFile: String? = nil
    ) {
        self.name = name
        self.agent = agent
        self.nodes = nodes
        self.hostMap = hostMap
        self.level = level
        self.delay = delay
        self.options = options
        self.passwordFile = passwordFile
    }

    /// The built-in storage fence (`agent = "storage"`): a poison pill in the victim's slot of
    /// the arbiter file, successful after `msgwait`; no program is run.
    public static let storageAgent = "storage"
    /// The only option of the storage agent.
    public static let msgwaitOption = "msgwait"

    public var isStorage: Bool { agent == Self.storageAgent }

    public func covers(_ node: String) -> Bool {
        nodes.contains(node) || hostMap[node] != nil
    }

    /// The port/plug value sent to the agent for `node`.
    public func port(for node: String) -> String {
        hostMap[node] ?? node
    }
}
