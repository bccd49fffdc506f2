/// One event for `ElectionNode.step(_:now:wallClock:)`.
public enum Input: Sendable, Equatable {
    /// Time passed. Drive at `ElectionNode.nextDeadline` and at least every `ElectionTimings.tickInterval`.
    case tick
    /// A message that passed the wire checks, from the node named `from`.
    case received(Message, from: String)
    /// An admin command from the local control socket.
    case command(RequestID, AdminCommand)
    /// Result of a takeover, release or fence the shell performed.
    case report(ResourceReport)
    /// The daemon is stopping (SIGTERM): a planned handover. A leader releases the
    /// service, removes itself from `mayHold` in a committed snapshot and hands
    /// leadership over, as `hactl move` does; any node stops campaigning. Volatile
    /// (a restarted process takes part again). Watch `ElectionNode.leaveProgress`.
    case leave
    /// A disk-heartbeat cycle of the shell (`tie_breaker = "storage"`), every heartbeat interval.
    case arbiter(ArbiterCycle)
    /// An operator override from the local control socket, by `uid` (the peer's credentials).
    /// `heard`: the peers the shell heard on each link within `failure_timeout`. Applied or
    /// refused at once; the answer is `ElectionNode.overrideRefusal` after the step.
    case override(OperatorOverride, uid: UInt32, heard: [HeardLink])
    /// The peers known to run a release that decodes member lists (the shell learns it from
    /// their node info). A leader records the member list once every configured peer is in it.
    case membersSupported(Set<String>)
}
