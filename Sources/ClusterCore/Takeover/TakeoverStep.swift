/// The steps of a takeover, in order. Each one's duration is recorded as the event
/// `takeover.<step>` (`takeover.fence`, `takeover.lock`, `takeover.ip`, `takeover.start`,
/// `takeover.healthy`).
public enum TakeoverStep: String, Sendable, Equatable, CaseIterable, Codable {
    /// Fence the previous active node (when it is not a live member).
    case fence
    /// Take the flock on shared storage.
    case lock
    /// Add the floating address(es) and announce them.
    case ip
    /// Start the unit(s) in order, waiting for each job's result.
    case start
    /// Wait for the first healthy verdict of `health_url` (skipped without one).
    case healthy

    public var eventKind: EventKind {
        switch self {
        case .fence: .takeoverFence
        case .lock: .takeoverLock
        case .ip: .takeoverIP
        case .start: .takeoverStart
        case .healthy: .takeoverHealthy
        }
    }
}
