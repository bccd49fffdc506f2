/// One thing the shell must do, in list order.
///
/// Contract (as raft's `Ready`): a `persist` MUST be on stable storage before
/// any later action of the same list is performed, in particular before any
/// `send` (votes and acknowledgements depend on it). If the write fails the
/// shell must not perform the rest and must stop the node from claiming
/// anything (stop feeding it, release the service).
public enum Action: Sendable, Equatable {
    /// Write term, vote and admin snapshot atomically (temp file, fsync, rename, fsync dir).
    case persist(PersistentState)
    case send(to: String, Message)
    /// Start the service here for leader `term`: first fence every node of
    /// `fenceFirst` (report `.fenced` / `.fenceFailed` for each; never start
    /// if one fails), then lock, addresses, units. Report the outcome.
    /// These fences never wait for a race: only a `two_node` leader can race its
    /// peer, and it fences that peer with `.fence` before any takeover (so
    /// `fenceFirst` is empty there); elsewhere only a majority can fence.
    case takeover(term: Term, fenceFirst: [String])
    /// `two_node` mode: fence `node` (the peer was lost) after waiting `delay`;
    /// nothing is committed or started until it is confirmed. Report `.fenced` /
    /// `.fenceFailed`. The delay is the fence race rule's (`ElectionNode.fenceDelay(for:)`):
    /// zero for the node holding the service, `[fencing] race_delay` for the other, so
    /// exactly one survives a race. The shell waits exactly this long, no more, no less.
    case fence(node: String, delay: Duration)
    /// The service failed here below `migration_threshold`: restart it in place, keeping
    /// the lock and the floating address(es): stop the unit(s) in reverse, start them in
    /// order, wait until healthy. Report like a takeover (`.takeoverSucceeded`, or
    /// `.startFailed` / `.takeoverFailed` after giving up everything, lock and addresses too).
    case restart(term: Term)
    /// Stop the service here (units, addresses, lock) and report `.released`.
    case release(ReleaseReason)
    /// The final answer to a local admin command.
    case reply(RequestID, CommandOutcome)
    /// An event for the cluster log; the shell timestamps it.
    case event(EventRecord)
}
