/// Service failures counted against one node (`migration_threshold`, `failure_expiry`).
public struct FailureRecord: Sendable, Equatable, Hashable {
    public var node: String
    public var count: Int
    /// Wall-clock time of the latest failure, seconds since the epoch; the count
    /// is forgotten once `failure_expiry` has passed since then.
    public var lastFailure: UInt64

    public init(node: String, count: Int, lastFailure: UInt64) {
        self.node = node
        self.count = count
        self.lastFailure = lastFailure
    }

    /// The count still in force at `wallClock`.
    public func count(at wallClock: UInt64, expiry: Duration) -> Int {
        let expirySeconds = UInt64(max(0, expiry.components.seconds))
        return wallClock >= lastFailure &+ expirySeconds ? 0 : count
    }
}
