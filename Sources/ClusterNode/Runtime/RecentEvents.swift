import ClusterCore
import ClusterHost
/// The last `capacity` cluster events, oldest first (`hactl events`, status).
public struct RecentEvents: Sendable {
    public let capacity: Int
    private var storage: [ClusterEvent] = []
    private var start = 0
    /// Events ever appended, including those that fell out of the buffer.
    public private(set) var totalAppended: UInt64 = 0

    public init(capacity: Int = 500) {
        precondition(capacity > 0)
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    public mutating func append(_ event: ClusterEvent) {
        totalAppended &+= 1
        if storage.count < capacity {
            storage.append(event)
        } else {
            storage[start] = event
            start = (start + 1) % capacity
        }
    }

    /// Up to `limit` most recent events, oldest first.
    public func recent(limit: Int? = nil) -> [ClusterEvent] {
        let ordered = Array(storage[start...] + storage[..<start])
        guard let limit, limit < ordered.count else { return ordered }
        return Array(ordered.suffix(max(limit, 0)))
    }
}
