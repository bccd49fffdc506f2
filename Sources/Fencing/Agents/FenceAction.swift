/// The actions of the ClusterLabs fence agent protocol that haclusterd uses,
/// sent as `action=<rawValue>` on the agent's stdin.
public enum FenceAction: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case off
    case on
    case reboot
    case status
    case monitor
    case list
    case metadata

    /// Actions that act on one target node: `port`/`plug` and `nodename` are sent.
    public var hasTarget: Bool {
        switch self {
        case .off, .on, .reboot, .status: return true
        case .monitor, .list, .metadata: return false
        }
    }
}
