/// What the control server dispatches to: implemented by haclusterd on top of its runtime.
///
/// The server has already checked the protocol version and the peer's access
/// (`ControlRequest.requiredAccess`) before calling it. For `.admin` the
/// implementation hands the command to the state machine (which forwards it to
/// the coordinator) and answers `.committed` once a quorum has stored it, or
/// `.noQuorum` / `.timeout` / `.rejected`.
public protocol ControlHandler: Sendable {
    func handle(_ request: ControlRequest, from peer: PeerCredentials) async -> ControlResponse

    /// New events as they are recorded, for `events --follow` (after the backlog answer of
    /// `handle(.events(...))`). Nil: following is not supported. The server stops iterating
    /// when the client goes away.
    func followEvents(from peer: PeerCredentials) async -> AsyncStream<ClusterEvent>?
}

extension ControlHandler {
    public func followEvents(from peer: PeerCredentials) async -> AsyncStream<ClusterEvent>? { nil }
}
