/// Every heartbeat and mailbox block of the arbiter file, decoded, from one read of the file.
public struct ArbiterSnapshot: Sendable, Equatable {
    /// Each slot owner's heartbeat block.
    public var heartbeats: [String: ArbiterRecord<ArbiterHeartbeat>]
    /// Each slot owner's mailbox block.
    public var mailboxes: [String: ArbiterRecord<ArbiterPoison>]

    public init(heartbeats: [String: ArbiterRecord<ArbiterHeartbeat>], mailboxes: [String: ArbiterRecord<ArbiterPoison>]) {
        self.heartbeats = heartbeats
        self.mailboxes = mailboxes
    }
}
