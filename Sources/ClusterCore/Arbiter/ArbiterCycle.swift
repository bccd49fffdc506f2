/// One disk-heartbeat cycle of the shell, for the core (`Input.arbiter`): this node's heartbeat
/// written, then every slot read, once per heartbeat interval.
public enum ArbiterCycle: Sendable, Equatable {
    /// Both succeeded; `heartbeats` are the peers' valid records (invalid ones are left out
    /// and reported by the shell).
    case succeeded(heartbeats: [String: ArbiterHeartbeat])
    /// The write or the read failed, or did not finish within the shell's bound (a hung mount).
    case failed(reason: String)
}
