/// Fences a node through its configured devices. Implemented by the `Fencing`
/// module (ClusterLabs agents, levels, delays); takeover and `hactl fence` call it.
public protocol Fencer: Sendable {
    /// Tries the levels configured for `node` in order. Returns once the node is
    /// confirmed fenced, or once every level has failed: never earlier.
    func fence(node: String, reason: String) async -> FenceOutcome
}

/// What a fencing attempt achieved, for the takeover decision and the event log.
public struct FenceOutcome: Sendable, Equatable, Codable {
    public var node: String
    public var succeeded: Bool
    /// Level and devices that fenced the node, when it succeeded.
    public var level: Int?
    public var devices: [String]
    /// One line for operators: which device did what, or why every level failed.
    public var detail: String
    public var durationMilliseconds: Int

    public init(node: String, succeeded: Bool, level: Int? = nil, devices: [String] = [], detail: String, durationMilliseconds: Int) {
        self.node = node
        self.succeeded = succeeded
        self.level = level
        self.devices = devices
        self.detail = detail
        self.durationMilliseconds = durationMilliseconds
    }
}
