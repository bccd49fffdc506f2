/// A poison pill (storage fencing, sbd-style): written by the fencing node into the victim's
/// mailbox block of the arbiter file. The victim reads its mailbox every heartbeat interval
/// and fences itself when the pill names its current incarnation (a pill for an older run is
/// stale: that run is already gone). Sealed with the arbiter key like the heartbeat.
public struct ArbiterPoison: Sendable, Equatable {
    /// The victim, and the run of it the pill is for.
    public var target: String
    public var targetIncarnation: Incarnation
    /// The node that wrote it.
    public var from: String
    /// The writer's wall clock, milliseconds since 1970.
    public var wallClock: UInt64

    public init(target: String, targetIncarnation: Incarnation, from: String, wallClock: UInt64) {
        self.target = target
        self.targetIncarnation = targetIncarnation
        self.from = from
        self.wallClock = wallClock
    }
}
