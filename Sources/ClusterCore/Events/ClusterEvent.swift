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
    /// Stable machine-readable kind, an `EventKind`'s raw value (`election.won`,
    /// `takeover.fence`, `fence.failed`). Kept as text so that an `hactl` decodes and prints
    /// the events of a daemon that knows kinds it does not.
    public var kind: String
    public var severity: Severity
    /// One line for humans.
    public var message: String
    /// Duration of the step, when the event closes one (takeover/release steps, fencing).
    public var durationMilliseconds: Int?
    /// The operator (control peer's uid) whose request the event records: `fence.operator-confirmed`,
    /// `quorum.unblocked`. Absent otherwise.
    public var uid: UInt32?
    /// The fence device the event is about: `fence.attempt`, `fence.attempt.succeeded`,
    /// `fence.attempt.failed`. Absent otherwise.
    public var device: String?

    public init(time: Double, node: String, kind: EventKind, severity: Severity = .info, message: String, durationMilliseconds: Int? = nil, uid: UInt32? = nil, device: String? = nil) {
        self.time = time
        self.node = node
        self.kind = kind.rawValue
        self.severity = severity
        self.message = message
        self.durationMilliseconds = durationMilliseconds
        self.uid = uid
        self.device = device
    }

    /// `record` as the shell received it on `node` at `time`.
    public init(_ record: EventRecord, time: Double, node: String) {
        self.init(time: time, node: node, kind: record.kind, severity: record.severity, message: record.message,
                  durationMilliseconds: record.durationMilliseconds, uid: record.uid, device: record.device)
    }
}
