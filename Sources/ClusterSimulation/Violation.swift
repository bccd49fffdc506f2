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
    }

    public var property: Property
    /// Simulated time, nanoseconds since the start.
    public var time: UInt64
    public var detail: String

    public var description: String {
        "property \(property.rawValue) at \(Double(time) / 1e9)s: \(detail)"
    }
}
