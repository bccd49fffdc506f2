/// Why the daemon did not carry out a control request. Travels on the wire
/// (`{"code":"no_quorum",...}`); `hactl` maps it to its exit status.
public enum ControlError: Error, Sendable, Equatable {
    /// The peer is neither root nor a member of the control group.
    case notAuthorized(uid: UInt32, user: String?, group: String)
    /// The change cannot be committed: this side of the cluster has no quorum.
    case noQuorum(votes: Int, expected: Int)
    /// The change was not committed in time (it may still commit later).
    case timeout(milliseconds: Int64)
    /// The cluster refused the change (unknown node, move failed and was rolled back, ...).
    case rejected(reason: String)
    /// The request itself is malformed, oversized or names something invalid.
    case badRequest(reason: String)
    /// The peer speaks a protocol version this daemon does not.
    case unsupportedVersion(received: Int, supported: Int)
    /// The daemon failed on its side; the message says where.
    case `internal`(message: String)

    /// Stable machine-readable code, the `code` key on the wire and in `hactl --json` errors.
    public var code: String {
        switch self {
        case .notAuthorized: "not_authorized"
        case .noQuorum: "no_quorum"
        case .timeout: "timeout"
        case .rejected: "rejected"
        case .badRequest: "bad_request"
        case .unsupportedVersion: "unsupported_version"
        case .internal: "internal"
        }
    }

    /// One line for the operator.
    public var message: String {
        switch self {
        case let .notAuthorized(uid, user, group):
            let who = user.map { "user '\($0)' (uid \(uid))" } ?? "uid \(uid)"
            return "not authorized: \(who) is neither root nor a member of group '\(group)'"
        case let .noQuorum(votes, expected):
            return "no quorum: this node sees \(votes) of \(expected) votes, a change needs more than half"
        case let .timeout(milliseconds):
            return "timed out after \(Double(milliseconds) / 1000)s waiting for a quorum to commit the change (it may still take effect; check `hactl status`)"
        case let .rejected(reason):
            return "rejected: \(reason)"
        case let .badRequest(reason):
            return "bad request: \(reason)"
        case let .unsupportedVersion(received, supported):
            return "unsupported control protocol version \(received) (this daemon speaks version \(supported)); use the hactl of the same release as haclusterd"
        case let .internal(message):
            return "internal daemon error: \(message)"
        }
    }

    /// `hactl` exit status per the spec: 1 failed, 2 bad usage, 4 refused.
    public var exitStatus: Int32 {
        switch self {
        case .notAuthorized, .noQuorum: 4
        case .badRequest: 2
        case .timeout, .rejected, .unsupportedVersion, .internal: 1
        }
    }
}

extension ControlError: Codable {
    private enum CodingKeys: String, CodingKey {
        case code, message, uid, user, group, votes, expected, milliseconds, reason, received, supported
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let code = try c.decode(String.self, forKey: .code)
        switch code {
        case "not_authorized":
            self = .notAuthorized(
                uid: try c.decode(UInt32.self, forKey: .uid),
                user: try c.decodeIfPresent(String.self, forKey: .user),
                group: try c.decode(String.self, forKey: .group))
        case "no_quorum":
            self = .noQuorum(votes: try c.decode(Int.self, forKey: .votes), expected: try c.decode(Int.self, forKey: .expected))
        case "timeout":
            self = .timeout(milliseconds: try c.decode(Int64.self, forKey: .milliseconds))
        case "rejected":
            self = .rejected(reason: try c.decode(String.self, forKey: .reason))
        case "bad_request":
            self = .badRequest(reason: try c.decode(String.self, forKey: .reason))
        case "unsupported_version":
            self = .unsupportedVersion(received: try c.decode(Int.self, forKey: .received), supported: try c.decode(Int.self, forKey: .supported))
        case "internal":
            self = .internal(message: try c.decode(String.self, forKey: .message))
        default:
            // A newer daemon's error: keep its message rather than failing to decode.
            self = .internal(message: "\(code): \((try? c.decode(String.self, forKey: .message)) ?? "no message")")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        switch self {
        case let .notAuthorized(uid, user, group):
            try c.encode(uid, forKey: .uid)
            try c.encodeIfPresent(user, forKey: .user)
            try c.encode(group, forKey: .group)
            try c.encode(message, forKey: .message)
        case let .noQuorum(votes, expected):
            try c.encode(votes, forKey: .votes)
            try c.encode(expected, forKey: .expected)
            try c.encode(message, forKey: .message)
        case let .timeout(milliseconds):
            try c.encode(milliseconds, forKey: .milliseconds)
            try c.encode(message, forKey: .message)
        case let .rejected(reason), let .badRequest(reason):
            try c.encode(reason, forKey: .reason)
            try c.encode(message, forKey: .message)
        case let .unsupportedVersion(received, supported):
            try c.encode(received, forKey: .received)
            try c.encode(supported, forKey: .supported)
            try c.encode(message, forKey: .message)
        case let .internal(message):
            try c.encode(message, forKey: .message)
        }
    }
}
