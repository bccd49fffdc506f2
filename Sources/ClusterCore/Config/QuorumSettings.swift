/// The `[quorum]` section.
public struct QuorumSettings: Sendable, Equatable {
    /// What decides a 2-node split (`tie_breaker`).
    public enum TieBreaker: String, Sendable, Equatable, CaseIterable {
        /// Nothing: a lost peer is fenced, the node not holding the service after `[fencing] race_delay`.
        case none
        /// The disk heartbeat in the arbiter file on the shared storage: a peer still writing
        /// there is alive (a network split: nobody fences); a peer silent there for
        /// `storage_timeout` is fenced at once.
        case storage
    }

    /// 2-node mode: quorum with 1 of 2 votes; fencing is mandatory.
    public var twoNode: Bool
    /// After a cold start, wait to see all nodes once before acting. Default as corosync's
    /// votequorum: on with `two_node`, off otherwise (an explicit value wins).
    public var waitForAll: Bool
    public var tieBreaker: TieBreaker
    /// How long a disk heartbeat may stand still before its writer counts as gone from the
    /// storage (nil: the default, 5 × heartbeat_interval, `ClusterConfig.storageTimeout`).
    public var storageTimeout: Duration?

    /// - Parameter waitForAll: nil: the default, `twoNode`.
    public init(twoNode: Bool = false, waitForAll: Bool? = nil, tieBreaker: TieBreaker = .none, storageTimeout: Duration? = nil) {
        self.twoNode = twoNode
        self.waitForAll = waitForAll ?? Self.defaultWaitForAll(twoNode: twoNode)
        self.tieBreaker = tieBreaker
        self.storageTimeout = storageTimeout
    }

    /// corosync's default: `wait_for_all` is on only in `two_node` mode, where one node of two
    /// is quorate alone and must not start the service before it has seen its peer once.
    /// With a majority quorum a node alone cannot act anyway.
    public static func defaultWaitForAll(twoNode: Bool) -> Bool { twoNode }
}
