/// Keys of an admin command on the control wire.
enum AdminCommandCodingKeys: String, CodingKey {
    case type, node, on
    case lifetimeMilliseconds = "lifetime_ms"
}

/// The control protocol's own, stable JSON form of an admin command:
/// `{"type":"move","node":"dss2","lifetime_ms":600000}` (no `node`: away from
/// the current node; no `lifetime_ms`: until `clear`).
extension AdminCommand {
    static let controlTypes = ["enable", "disable", "move", "ban", "clear", "standby", "unstandby", "maintenance", "cleanup", "node_add", "node_remove"]

    var controlType: String {
        switch self {
        case .enable: "enable"
        case .disable: "disable"
        case .move: "move"
        case .ban: "ban"
        case .clear: "clear"
        case .standby: "standby"
        case .unstandby: "unstandby"
        case .maintenance: "maintenance"
        case .cleanup: "cleanup"
        case .addNode: "node_add"
        case .removeNode: "node_remove"
        }
    }

    init(controlContainer c: KeyedDecodingContainer<AdminCommandCodingKeys>) throws {
        let type = try c.decode(String.self, forKey: .type)
        func lifetime() throws -> Duration? {
            guard let ms = try c.decodeIfPresent(Int64.self, forKey: .lifetimeMilliseconds) else { return nil }
            guard ms > 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .lifetimeMilliseconds, in: c, debugDescription: "lifetime must be positive, got \(ms) ms")
            }
            return .milliseconds(ms)
        }
        switch type {
        case "enable": self = .enable
        case "disable": self = .disable
        case "move": self = .move(node: try c.decodeIfPresent(String.self, forKey: .node), lifetime: try lifetime())
        case "ban": self = .ban(node: try c.decode(String.self, forKey: .node), lifetime: try lifetime())
        case "clear": self = .clear(node: try c.decodeIfPresent(String.self, forKey: .node))
        case "standby": self = .standby(node: try c.decode(String.self, forKey: .node))
        case "unstandby": self = .unstandby(node: try c.decode(String.self, forKey: .node))
        case "maintenance": self = .maintenance(on: try c.decode(Bool.self, forKey: .on))
        case "cleanup": self = .cleanup(node: try c.decodeIfPresent(String.self, forKey: .node))
        case "node_add": self = .addNode(try c.decode(String.self, forKey: .node))
        case "node_remove": self = .removeNode(try c.decode(String.self, forKey: .node))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c,
                debugDescription: "unknown admin command '\(type)', expected one of \(Self.controlTypes.joined(separator: ", "))")
        }
    }

    func encode(controlContainer c: inout KeyedEncodingContainer<AdminCommandCodingKeys>) throws {
        try c.encode(controlType, forKey: .type)
        func encodeLifetime(_ lifetime: Duration?) throws {
            guard let lifetime else { return }
            let (seconds, attoseconds) = lifetime.components
            try c.encode(seconds * 1000 + attoseconds / 1_000_000_000_000_000, forKey: .lifetimeMilliseconds)
        }
        switch self {
        case .enable, .disable:
            break
        case let .move(node, lifetime):
            try c.encodeIfPresent(node, forKey: .node)
            try encodeLifetime(lifetime)
        case let .ban(node, lifetime):
            try c.encode(node, forKey: .node)
            try encodeLifetime(lifetime)
        case let .clear(node), let .cleanup(node):
            try c.encodeIfPresent(node, forKey: .node)
        case let .standby(node), let .unstandby(node), let .addNode(node), let .removeNode(node):
            try c.encode(node, forKey: .node)
        case let .maintenance(on):
            try c.encode(on, forKey: .on)
        }
    }
}
