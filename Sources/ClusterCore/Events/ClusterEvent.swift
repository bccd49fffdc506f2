/// One entry of the cluster event log (`hactl events`): elections, fencing,
/// takeover steps with their durations, failures, admin changes.
public struct ClusterEvent: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Equatable, Codable {
        case info
        case notice
        case warning
        case error
    }

    /// Wall-clock time, seconds since the UNIX epoch (set by the shell, never by the core).
    public var time: Double
    /// Node that recorded the event.
    public var node: String
    /// Stable machine-readable kind, e.g. `election.won`, `takeover.fence`, `fence.failed`.
    public var kind: String
    public var severity: Severity
    /// One line for humans.
    public var message: String
    /// Duration of the step, when the event closes one (takeover/release steps, fencing).
    public var durationMilliseconds: Int?

    public init(time: Double, node: String, kind: String, severity: Severity = .info, message: String, durationMilliseconds: Int? = nil) {
        self.time = time
        self.node = node
        self.kind = kind
        self.severity = severity
        self.message = message
        self.durationMilliseconds = durationMilliseconds
    }
}
