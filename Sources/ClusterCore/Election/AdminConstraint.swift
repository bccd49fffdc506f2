/// A location constraint in the admin state: `ban` forbids a node, `prefer` (from `move NODE`) ranks it first.
public struct AdminConstraint: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, Equatable, Hashable, CaseIterable {
        case ban
        case prefer
    }

    public var kind: Kind
    public var node: String
    /// Absolute wall-clock expiry, seconds since the UNIX epoch; nil = until `clear`.
    public var expires: UInt64?

    public init(kind: Kind, node: String, expires: UInt64? = nil) {
        self.kind = kind
        self.node = node
        self.expires = expires
    }

    /// Whether the constraint still applies at `wallClock` (seconds since the epoch).
    public func isActive(at wallClock: UInt64) -> Bool {
        guard let expires else { return true }
        return wallClock < expires
    }
}
