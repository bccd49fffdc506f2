/// Where a planned leave (`Input.leave`, the daemon's SIGTERM) is.
public enum LeaveProgress: Sendable, Equatable {
    case notLeaving
    /// The service is being stopped here (units, addresses, lock).
    case releasing
    /// This node's removal from `mayHold` is not known to be committed yet.
    case recording
    /// Leadership is being handed to another node (`timeoutNow` sent).
    case handingOver
    /// Nothing runs here; waiting to tell a leader so with an acknowledgement
    /// (and, if the record names this node, for that leader to clear it).
    case tellingLeader
    /// Nothing of the service runs here and the committed record of possible
    /// holders does not name this node: the process may exit, nobody fences it.
    case done
    /// Nothing runs here and the record this node stored does not name it, but no
    /// leader was heard for `failure_timeout` to confirm that (no quorum): the
    /// process may exit; it holds nothing.
    case doneWithoutLeader

    public var isDone: Bool { self == .done || self == .doneWithoutLeader }
}
