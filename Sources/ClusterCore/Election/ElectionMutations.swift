/// Deliberately broken mechanisms, for the simulation's mutation check only:
/// each switch must make the simulation report a safety violation. Production
/// code never sets them (`ElectionNode` defaults to none).
public struct ElectionMutations: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Grant any number of votes per term.
    public static let disableVoteOnce = ElectionMutations(rawValue: 1 << 0)
    /// A new leader claims the lease at once instead of waiting out the previous one.
    public static let skipLeaseWait = ElectionMutations(rawValue: 1 << 1)
    /// A leader never steps down for lack of quorum acknowledgements.
    public static let disableCheckQuorum = ElectionMutations(rawValue: 1 << 2)
    /// Vote regardless of the candidate's admin stamp.
    public static let ignoreUpToDate = ElectionMutations(rawValue: 1 << 3)

    /// `tie_breaker = "storage"`: a peer's disk heartbeat counts as silent after a fifth of
    /// `storage_timeout` (a slow write then looks like a dead peer).
    public static let shortStorageTimeout = ElectionMutations(rawValue: 1 << 4)
    /// `tie_breaker = "storage"`: a holder whose own disk-heartbeat cycles stopped succeeding
    /// keeps the service (no storage-lost release, no failure counted).
    public static let keepServiceWithoutStorage = ElectionMutations(rawValue: 1 << 5)
    /// A leaving node is done once it told a leader it runs nothing, without waiting until the
    /// snapshot that no longer names it in `mayHold` is committed (a later leader may then
    /// still fence it after its clean exit).
    public static let leaveBeforeRecorded = ElectionMutations(rawValue: 1 << 6)

    /// A leader accepts a membership change while an earlier change is not committed yet.
    /// The random simulation issues no membership changes (its nodes are all members): a
    /// scripted scenario breaks this one (`MembershipTests`), so it is not in `all`.
    public static let concurrentMembership = ElectionMutations(rawValue: 1 << 7)

    public static let all: [(String, ElectionMutations)] = [
        ("vote-once", .disableVoteOnce),
        ("lease-wait", .skipLeaseWait),
        ("check-quorum", .disableCheckQuorum),
        ("up-to-date", .ignoreUpToDate),
        ("storage-timeout", .shortStorageTimeout),
        ("storage-lost", .keepServiceWithoutStorage),
        ("leave-record", .leaveBeforeRecorded),
    ]

    public var description: String {
        let names = Self.all.filter { contains($0.1) }.map(\.0)
        return names.isEmpty ? "none" : names.joined(separator: ",")
    }
}
