import ClusterCore
import ClusterHost
/// What the runtime asks of the rest of the daemon: the takeover sequence,
/// the release, and logging of events. The runtime calls these one at a time,
/// in the order the core asked for them, on a task of its own (the election
/// keeps running meanwhile).
public protocol RuntimeEffects: Sendable {
    /// Takes the service over for leader `term`: fence every node of
    /// `fenceFirst` in order (no race delay: see `Action.takeover`), reporting
    /// `.fenced(node)` or `.fenceFailed(node, reason)` for each and never going on
    /// after a failure; then lock, addresses, units; then report
    /// `.takeoverSucceeded(term)` or `.takeoverFailed(term, reason)` (after undoing
    /// the steps done). `context`: where the service comes from and the timeline before
    /// the decision, for `last_failover`, and whether the duplicate-address probe can be
    /// skipped (`TakeoverContext.addressesKnownFree`).
    ///
    /// Cancellation: the runtime cancels this task when the core asks for a
    /// release meanwhile; stop as soon as possible, undo, report
    /// `.takeoverFailed`, and return (the release runs next).
    func takeOver(
        term: Term, fenceFirst: [String], context: TakeoverContext, report: @escaping @Sendable (ResourceReport) async -> Void
    ) async

    /// `two_node` mode: fences `node` (the peer was lost) through its configured
    /// levels, after waiting exactly `delay`, the core's fence race delay (so that in
    /// a fence race exactly one node survives). The runtime reports `.fenced` or
    /// `.fenceFailed` to the core from the outcome.
    func fence(node: String, delay: Duration) async -> FenceOutcome

    /// Stops everything of the service on this node (units, addresses, lock).
    /// Returns only once nothing runs any more; the runtime then reports
    /// `.released` to the core. A stop that cannot complete must escalate
    /// (self-fencing) rather than return.
    func release(reason: ReleaseReason) async

    /// Restarts the failed service in place for `term` (`Action.restart`): the unit(s)
    /// stop and start again, the lock and addresses stay. Reports like `takeOver`
    /// (`.takeoverSucceeded`, or `.startFailed` / `.takeoverFailed` after giving up
    /// everything). Cancellation as for `takeOver`.
    func restartInPlace(term: Term, report: @escaping @Sendable (ResourceReport) async -> Void) async

    /// Every event of the core (election, service, admin) and of the runtime (links, wire,
    /// persistence), untimed: the receiver stamps it (the daemon's `EventHub`).
    func record(_ event: EventRecord)
}

extension RuntimeEffects {
    public func record(_ event: EventRecord) {}
}
