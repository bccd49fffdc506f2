/// Every protocol message between `haclusterd` nodes. Plain values: the wire
/// layer (`Wire/`) encodes, seals and authenticates them; the core only sees
/// messages that passed those checks, with the sender's node name.
///
/// Every message carries the sender's current term (except the command
/// forwarding pair): a receiver with a lower term adopts the higher one.
public enum Message: Sendable, Equatable {
    /// PreVote: "would you vote for me if I started an election for `term`?"
    /// Sent with `term` = candidate's term + 1; the candidate's own term is
    /// NOT bumped, so a node that cannot win (a rejoining partitioned node)
    /// never disturbs the cluster. `admin` is the candidate's snapshot stamp.
    case preVoteRequest(term: Term, admin: AdminStamp)
    /// Answer to a PreVote, echoing the proposed `term` when granted, else the
    /// responder's current term.
    case preVoteResponse(term: Term, granted: Bool)
    /// A real vote request. `transfer`: the candidate was told to campaign by
    /// the leader (`timeoutNow`), so voters grant even if they heard a leader
    /// recently, and the previous leader has already released.
    case voteRequest(term: Term, admin: AdminStamp, transfer: Bool)
    /// A vote. `sinceLeaderContact`: how long (voter's clock) since it last
    /// acknowledged any leader, or since it started if it has not. The winner
    /// uses it to wait out any previous leader's lease.
    case voteResponse(term: Term, granted: Bool, sinceLeaderContact: Duration)
    /// Leader heartbeat (every `heartbeat_interval`), carrying the whole admin
    /// snapshot, the stamp known to be committed, the node holding the service
    /// (if any) and the nodes the leader currently hears (`members`).
    case heartbeat(term: Term, sequence: UInt64, admin: AdminState, committed: AdminStamp, holder: String?, members: [String])
    /// Acknowledges heartbeat `sequence` after the snapshot was persisted.
    /// `admin` is the stamp the follower now stores; `holding` whether the
    /// follower still runs (or is starting or stopping) the service.
    /// Also sent with the responder's higher term to a stale leader.
    case heartbeatAck(term: Term, sequence: UInt64, admin: AdminStamp, holding: Bool)
    /// Leadership transfer: the leader (already released) tells the target to
    /// start an election at once.
    case timeoutNow(term: Term)
    /// An admin command forwarded by a non-leader to the leader; `id` is the
    /// origin's request id, echoed in the reply.
    case command(id: RequestID, command: AdminCommand)
    /// The leader's final answer to a forwarded command.
    case commandReply(id: RequestID, outcome: CommandOutcome)
}

extension Message {
    /// Short name for traces and counters.
    public var kind: String {
        switch self {
        case .preVoteRequest: "preVoteRequest"
        case .preVoteResponse: "preVoteResponse"
        case .voteRequest: "voteRequest"
        case .voteResponse: "voteResponse"
        case .heartbeat: "heartbeat"
        case .heartbeatAck: "heartbeatAck"
        case .timeoutNow: "timeoutNow"
        case .command: "command"
        case .commandReply: "commandReply"
        }
    }
}
