/// What the control server dispatches to: implemented by haclusterd on top of its runtime.
///
/// The server has already checked the protocol version and the peer's access
/// (`ControlRequest.requiredAccess`) before calling it. For `.admin` the
/// implementation hands the command to the state machine (which forwards it to
/// the coordinator) and answers `.committed` once a quorum has stored it, or
/// `.noQuorum` / `.timeout` / `.rejected`.
public protocol ControlHandler: Sendable {
    func handle(_ request: ControlRequest, from peer: PeerCredentials) async -> ControlResponse

    /// New events as they are recorded, for `events --follow`. The server subscribes *before*
    /// calling `handle(.events(..., follow: true))` for the backlog, so no event is lost between
    /// the two (one recorded meanwhile may be in both; hactl drops such repeats). Nil: following
    /// is not supported. The server stops iterating when the client goes away; finishing the
    /// stream (daemon stopping) ends the client's `--follow`.
    func followEvents(from peer: PeerCredentials) async -> AsyncStream<ClusterEvent>?
}

extension ControlHandler {
    public func followEvents(from peer: PeerCredentials) async -> AsyncStream<ClusterEvent>? { nil }
}
