/// The steps of a release, in order (the takeover's, reversed). Recorded as `release.<step>`.
public enum ReleaseStep: String, Sendable, Equatable, CaseIterable, Codable {
    /// Stop the unit(s) in reverse order.
    case stop
    /// Remove the floating address(es).
    case ip
    /// Give up the flock.
    case unlock

    public var eventKind: EventKind {
        switch self {
        case .stop: .releaseStop
        case .ip: .releaseIP
        case .unlock: .releaseUnlock
        }
    }
}
