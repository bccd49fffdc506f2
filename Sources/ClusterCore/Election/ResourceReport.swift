/// What the shell reports back after performing a takeover, release or fence action.
public enum ResourceReport: Sendable, Equatable {
    /// Every takeover step succeeded; the service runs here.
    case takeoverSucceeded(term: Term)
    /// A takeover step failed; the shell has already undone the steps it did.
    case takeoverFailed(term: Term, reason: String)
    /// The service itself did not come up in a takeover (a unit's start, or the health
    /// wait, failed); the shell has already undone the steps it did. Like Pacemaker's
    /// `start-failure-is-fatal`, it makes this node ineligible (its failure count reaches
    /// `migration_threshold`) until `hactl cleanup` or `failure_expiry`. A failure of the
    /// fence, lock or address steps (the infrastructure, often transient: an NFS lock still
    /// in its grace period) is `takeoverFailed`: counted once and retried.
    case startFailed(term: Term, reason: String)
    /// A node named in `takeover(fenceFirst:)` was confirmed fenced.
    case fenced(node: String)
    /// Every fencing level failed for `node`; the takeover did not start.
    case fenceFailed(node: String, reason: String)
    /// A release finished: nothing of the service runs here any more.
    case released
    /// The running service failed (unit failed, health check failed).
    case serviceFailed(reason: String)
    /// The storage lock no longer excludes other nodes (its file replaced and the new one held
    /// by someone else): fatal, never restarted in place (a restart keeps the stale lock).
    case lockLost(reason: String)
}
