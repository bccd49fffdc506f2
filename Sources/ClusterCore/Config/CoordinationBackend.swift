/// `[cluster] backend`: where leadership and the admin state are decided.
public enum CoordinationBackend: String, Sendable, Equatable, CaseIterable {
    /// The nodes' own protocol: heartbeats, votes and leases over UDP (`[quorum]`).
    case builtin
    /// An existing etcd cluster (`[etcd]`): a leader key bound to an etcd lease, the admin
    /// state in etcd transactions. Fencing, the lock, the addresses and the units are unchanged.
    case etcd
}
