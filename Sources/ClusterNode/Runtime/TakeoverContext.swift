import ClusterCore

/// What the runtime knows about a takeover the core decided, beyond the core's action.
public struct TakeoverContext: Sendable, Equatable {
    /// Where the service comes from, as the core knew it when it decided
    /// (`ElectionNode.previousHolder`); nil on a cold start (no node ever held it).
    public var previousHolder: String?
    /// The failover timeline's steps before the takeover (`LeadershipTimeline`): detect,
    /// election, lease, wait. Empty when the takeover is not an election's failover.
    public var prelude: [StatusReport.Failover.Step]

    public init(previousHolder: String?, prelude: [StatusReport.Failover.Step] = []) {
        self.previousHolder = previousHolder
        self.prelude = prelude
    }

    /// Whether the floating addresses are known to be free once `fenceFirst` is fenced: the
    /// previous holder released them (the core takes over only once every live peer said it
    /// runs nothing) or is fenced. Only a cold start, with no previous holder and nobody to
    /// fence, leaves it open whether something else on the segment answers for them.
    public func addressesKnownFree(fenceFirst: [String]) -> Bool {
        previousHolder != nil || !fenceFirst.isEmpty
    }
}
