import ClusterCore

/// What a `ClusterRuntime` hands to the next image of the daemon when it re-executes itself
/// in place (`systemctl reload`): the core's volatile state and the wire session, and when the
/// old runtime stopped (monotonic nanoseconds, `CLOCK_BOOTTIME`) so that the new one can say
/// how long the node was silent.
public struct RuntimeHandover: Sendable, Equatable, Codable {
    public var election: ElectionSnapshot
    public var wire: WireSessionSnapshot
    public var suspendedAt: UInt64

    public init(election: ElectionSnapshot, wire: WireSessionSnapshot, suspendedAt: UInt64) {
        self.election = election
        self.wire = wire
        self.suspendedAt = suspendedAt
    }
}
