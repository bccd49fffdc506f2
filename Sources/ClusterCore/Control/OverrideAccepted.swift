/// The answer to `fence_confirm` and `quorum_unblock` once the core applied the override:
/// `{"action":"fence_confirm","node":"dss1","applied_on":"dss2","uid":0,"detail":"..."}`.
public struct OverrideAccepted: Sendable, Equatable, Codable {
    /// `fence_confirm` or `quorum_unblock` (the request's type).
    public var action: String
    /// The node confirmed down (`fence_confirm` only).
    public var node: String?
    /// The node whose core applied it (the one `hactl` talked to).
    public var appliedOn: String
    /// The operator, from the control connection's credentials (also in the event).
    public var uid: UInt32
    /// One line for the operator.
    public var detail: String

    public init(action: String, node: String? = nil, appliedOn: String, uid: UInt32, detail: String) {
        self.action = action
        self.node = node
        self.appliedOn = appliedOn
        self.uid = uid
        self.detail = detail
    }

    private enum CodingKeys: String, CodingKey {
        case action, node, appliedOn = "applied_on", uid, detail
    }
}
