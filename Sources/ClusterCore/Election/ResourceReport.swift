/// What the shell reports back after performing a takeover, release or fence action.
public enum ResourceReport: Sendable, Equatable {
    /// Every takeover step succeeded; the service runs here.
    case takeoverSucceeded(term: Term)
    /// A takeover step failed; the shell has already undone the steps it did.
    case takeoverFailed(term: Term, reason: String)
    /// A node named in `takeover(fenceFirst:)` was confirmed fenced.
    case fenced(node: String)
    /// Every fencing level failed for `node`; the takeover did not start.
    case fenceFailed(node: String, reason: String)
    /// A release finished: nothing of the service runs here any more.
    case released
    /// The running service failed (unit failed, health check failed).
    case serviceFailed(reason: String)
}
