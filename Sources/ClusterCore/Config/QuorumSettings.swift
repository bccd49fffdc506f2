/// The `[quorum]` section.
public struct QuorumSettings: Sendable, Equatable {
    /// 2-node mode: quorum with 1 of 2 votes; fencing is mandatory.
    public var twoNode: Bool
    /// After a cold start, wait to see all nodes once before acting.
    public var waitForAll: Bool

    public init(twoNode: Bool = false, waitForAll: Bool = true) {
        self.twoNode = twoNode
        self.waitForAll = waitForAll
    }
}
