/// A request to the local daemon over the control socket.
///
/// On the wire it is a JSON object with a `type` discriminator, e.g.
/// `{"type":"status"}`, `{"type":"admin","command":{"type":"move","node":"dss2","lifetime_ms":600000}}`.
/// The coding is written out by hand so that it stays stable across releases.
public enum ControlRequest: Sendable, Equatable {
    /// The cluster as this node sees it: answered with a `StatusReport`.
    case status
    /// The event log: entries at or after `since` (seconds since the epoch), at most `limit`
    /// of the newest; with `follow` the connection then stays open and streams new events.
    case events(since: Double?, limit: Int?, follow: Bool)
    /// A change of the replicated admin state, forwarded to the coordinator; answered once a
    /// quorum has committed it.
    case admin(AdminCommand)
    /// Fence `node` now through its configured devices.
    case fence(node: String)
    /// `hactl fence confirm NODE`: the operator states NODE is down; on the coordinator its
    /// pending fence counts as done. Refused while NODE shows any sign of life.
    case fenceConfirm(node: String)
    /// `hactl quorum unblock`: stop waiting for all nodes after a cold start (a partition
    /// with a strict majority of the votes only).
    case quorumUnblock
    /// Part of `hactl check-storage`: run `probe` on `probe.node` (forwarded by the local daemon
    /// when that is another node) and answer with a `StoragePeerReport`.
    case checkStoragePeer(StoragePeerProbe)
    /// `systemctl reload` / `hactl reload`: check the configuration file with the haclusterd binary
    /// now installed, then re-execute that binary in place (same PID, service untouched). Answered
    /// `reloading` just before the re-execution, or `rejected` naming the file, line and key.
    case reload

    /// What the peer must be allowed to do for this request.
    public var requiredAccess: ControlAccess {
        switch self {
        case .status, .events: .read
        case .admin, .fence, .fenceConfirm, .quorumUnblock, .checkStoragePeer, .reload: .change
        }
    }

    /// The `type` on the wire, also used in logs.
    public var type: String {
        switch self {
        case .status: "status"
        case .events: "events"
        case .admin: "admin"
        case .fence: "fence"
        case .fenceConfirm: "fence_confirm"
        case .quorumUnblock: "quorum_unblock"
        case .checkStoragePeer: "check_storage_peer"
        case .reload: "reload"
        }
    }

    public static let types = ["status", "events", "admin", "fence", "fence_confirm", "quorum_unblock", "check_storage_peer", "reload"]
}

extension ControlRequest: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, since, limit, follow, command, node, probe
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "status":
            self = .status
        case "events":
            self = .events(
                since: try c.decodeIfPresent(Double.self, forKey: .since),
                limit: try c.decodeIfPresent(Int.self, forKey: .limit),
                follow: try c.decodeIfPresent(Bool.self, forKey: .follow) ?? false)
        case "admin":
            let command = try c.nestedContainer(keyedBy: AdminCommandCodingKeys.self, forKey: .command)
            self = .admin(try AdminCommand(controlContainer: command))
        case "fence":
            self = .fence(node: try c.decode(String.self, forKey: .node))
        case "fence_confirm":
            self = .fenceConfirm(node: try c.decode(String.self, forKey: .node))
        case "quorum_unblock":
            self = .quorumUnblock
        case "check_storage_peer":
            self = .checkStoragePeer(try c.decode(StoragePeerProbe.self, forKey: .probe))
        case "reload":
            self = .reload
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c,
                debugDescription: "unknown request type '\(type)', expected one of \(ControlRequest.types.joined(separator: ", "))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .status, .reload, .quorumUnblock:
            break
        case let .events(since, limit, follow):
            try c.encodeIfPresent(since, forKey: .since)
            try c.encodeIfPresent(limit, forKey: .limit)
            try c.encode(follow, forKey: .follow)
        case let .admin(command):
            var nested = c.nestedContainer(keyedBy: AdminCommandCodingKeys.self, forKey: .command)
            try command.encode(controlContainer: &nested)
        case let .fence(node), let .fenceConfirm(node):
            try c.encode(node, forKey: .node)
        case let .checkStoragePeer(probe):
            try c.encode(probe, forKey: .probe)
        }
    }
}
