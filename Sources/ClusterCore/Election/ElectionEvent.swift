/// An event the core reports (election won, lease lost, admin change, ...).
/// The shell turns it into a `ClusterEvent` with a timestamp and node name.
public struct ElectionEvent: Sendable, Equatable {
    public var kind: String
    public var severity: ClusterEvent.Severity
    public var message: String

    public init(kind: String, severity: ClusterEvent.Severity = .info, message: String) {
        self.kind = kind
        self.severity = severity
        self.message = message
    }

    public func clusterEvent(time: Double, node: String) -> ClusterEvent {
        ClusterEvent(time: time, node: node, kind: kind, severity: severity, message: message)
    }
}
