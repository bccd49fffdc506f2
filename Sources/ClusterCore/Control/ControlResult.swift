/// A successful answer of the daemon, JSON `{"type":"status","status":{...}}` etc.
public enum ControlResult: Sendable, Equatable {
    case status(StatusReport)
    /// The backlog of `events` (oldest first).
    case events([ClusterEvent])
    /// One new event of an `events` request with `follow` (streamed after the backlog).
    case event(ClusterEvent)
    case committed(AdminCommit)
    case fenced(FenceOutcome)
    case storagePeer(StoragePeerReport)
    /// The new configuration passed; the daemon re-executes `binary` in place right after this answer.
    case reloading(ReloadAccepted)
    /// `fence_confirm` / `quorum_unblock` applied.
    case overridden(OverrideAccepted)

    public var type: String {
        switch self {
        case .status: "status"
        case .events: "events"
        case .event: "event"
        case .committed: "committed"
        case .fenced: "fenced"
        case .storagePeer: "storage_peer"
        case .reloading: "reloading"
        case .overridden: "override"
        }
    }
}

extension ControlResult: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, status, events, event, commit, outcome, report, reload, override
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "status": self = .status(try c.decode(StatusReport.self, forKey: .status))
        case "events": self = .events(try c.decode([ClusterEvent].self, forKey: .events))
        case "event": self = .event(try c.decode(ClusterEvent.self, forKey: .event))
        case "committed": self = .committed(try c.decode(AdminCommit.self, forKey: .commit))
        case "fenced": self = .fenced(try c.decode(FenceOutcome.self, forKey: .outcome))
        case "storage_peer": self = .storagePeer(try c.decode(StoragePeerReport.self, forKey: .report))
        case "reloading": self = .reloading(try c.decode(ReloadAccepted.self, forKey: .reload))
        case "override": self = .overridden(try c.decode(OverrideAccepted.self, forKey: .override))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown result type '\(type)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case let .status(report): try c.encode(report, forKey: .status)
        case let .events(events): try c.encode(events, forKey: .events)
        case let .event(event): try c.encode(event, forKey: .event)
        case let .committed(commit): try c.encode(commit, forKey: .commit)
        case let .fenced(outcome): try c.encode(outcome, forKey: .outcome)
        case let .storagePeer(report): try c.encode(report, forKey: .report)
        case let .reloading(accepted): try c.encode(accepted, forKey: .reload)
        case let .overridden(accepted): try c.encode(accepted, forKey: .override)
        }
    }
}

/// The answer to `reload` when the check passed: `{"binary":"/usr/local/sbin/haclusterd","config":"...","pid":1234}`.
public struct ReloadAccepted: Sendable, Equatable, Codable {
    /// The binary that checked the configuration and is about to be executed.
    public var binary: String
    public var config: String
    /// The daemon's process id, the same after the re-execution.
    public var pid: Int32

    public init(binary: String, config: String, pid: Int32) {
        self.binary = binary
        self.config = config
        self.pid = pid
    }
}
