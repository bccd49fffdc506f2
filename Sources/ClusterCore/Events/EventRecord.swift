/// What happened, as its producer reports it: the core (`Action.event`), the runtime,
/// the takeover sequence, fencing. It carries no time: no producer reads a clock for
/// an event. The shell stamps each record with the wall-clock time and the node as it
/// receives it, making it a `ClusterEvent`.
public struct EventRecord: Sendable, Equatable {
    public var kind: EventKind
    public var severity: ClusterEvent.Severity
    /// One line for humans.
    public var message: String
    /// Duration of the step, when the event closes one (takeover/release steps, fencing).
    public var durationMilliseconds: Int?
    /// The operator whose request this records (the control peer's uid), for overrides.
    public var uid: UInt32?
    /// The fence device the event is about (fence attempts).
    public var device: String?

    public init(kind: EventKind, severity: ClusterEvent.Severity = .info, message: String, durationMilliseconds: Int? = nil, uid: UInt32? = nil, device: String? = nil) {
        self.kind = kind
        self.severity = severity
        self.message = message
        self.durationMilliseconds = durationMilliseconds
        self.uid = uid
        self.device = device
    }
}
