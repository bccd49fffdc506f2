/// A broken safety or liveness property, with the simulated time it was seen at.
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    public enum Property: String, Sendable, Equatable {
        case twoHolders = "1-two-holders"
        case leaseOverlap = "1-lease-overlap"
        case twoLeaders = "2-two-leaders"
        case committedLost = "3-committed-lost"
        case holdsWithoutQuorum = "4-holds-without-quorum"
        case liveness = "5-liveness"
        /// A planned stop (`Input.leave`) must end holding nothing and the node must not be fenced.
        case cleanLeave = "6-clean-leave"
        /// The storage shape: a node without a good disk-heartbeat cycle for `storage_timeout`
        /// must have released the service (plus a tick and the longest release).
        case storageLostHolds = "7-storage-lost-holds"
        /// The storage shape: a network-only split with both nodes' storage healthy ends in 0 fences (`SplitWatch`).
        case splitFence = "8-split-fence"
    }

    public var property: Property
    /// Simulated time, nanoseconds since the start.
    public var time: UInt64
    public var detail: String

    public var description: String {
        "property \(property.rawValue) at \(Double(time) / 1e9)s: \(detail)"
    }
}
