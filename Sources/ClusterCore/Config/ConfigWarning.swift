/// Something allowed but risky in a configuration. The daemon logs each at every start,
/// `--check-config` and `hactl config check` print them without failing.
public enum ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// `[fencing] enabled = false`.
    case fencingDisabled
    /// Devices are configured but fencing is off, so they are never used.
    case fenceDevicesIgnored(count: Int)
    /// One node: nothing to fail over to.
    case singleNode
    /// An even number of votes without `two_node`: a clean split leaves no side quorate,
    /// and with two nodes losing either one stops the service.
    case evenVotingNodes(count: Int)
    /// `two_node` and no device has a delay: after a split both nodes may fence each other at once.
    case twoNodeWithoutFenceDelay
    /// `two_node` with `wait_for_all = false`: after a cold start each node alone may take the service.
    case twoNodeWithoutWaitForAll
    /// `tie_breaker = "storage"` with `storage_timeout` shorter than `failure_timeout`: a storage
    /// stall the network equivalent of which the cluster tolerates makes the holder release.
    case storageTimeoutBelowFailureTimeout(storageTimeout: Duration, failureTimeout: Duration)
    /// `[etcd]` with `backend = "builtin"`: nothing reads it.
    case etcdIgnored
    /// `backend = "etcd"` with `[quorum]` settings: etcd's quorum decides, not the nodes'.
    case quorumIgnoredWithEtcd
    /// `backend = "etcd"` with witness nodes: etcd's members are the tie-breakers; a witness has nothing to do.
    case witnessIgnoredWithEtcd(nodes: [String])

    /// The key the warning is about.
    public var keyPath: String {
        switch self {
        case .fencingDisabled, .fenceDevicesIgnored: "fencing.enabled"
        case .singleNode, .evenVotingNodes: "node"
        case .twoNodeWithoutFenceDelay: "fencing.race_delay"
        case .twoNodeWithoutWaitForAll: "quorum.wait_for_all"
        case .storageTimeoutBelowFailureTimeout: "quorum.storage_timeout"
        case .etcdIgnored: "etcd"
        case .quorumIgnoredWithEtcd: "quorum"
        case .witnessIgnoredWithEtcd: "node"
        }
    }

    public var description: String {
        switch self {
        case .fencingDisabled:
            "fencing.enabled: running without fencing: a node that stops answering cannot be safely replaced "
                + "(the service moves only when the failed node releases it)"
        case .fenceDevicesIgnored(let count):
            "fencing.enabled: fencing is disabled, so the \(count) configured [[fencing.device]] entries are ignored"
        case .singleNode:
            "node: only one node is configured: the service has nowhere to fail over to"
        case .evenVotingNodes(let count) where count == 2:
            "node: 2 voting nodes without quorum.two_node: losing either node stops the service; "
                + "add a witness node, or set two_node = true (needs fencing)"
        case .evenVotingNodes(let count):
            "node: \(count) voting nodes: a split into two halves leaves neither side quorate; consider a witness node"
        case .twoNodeWithoutFenceDelay:
            "fencing.race_delay: two_node with race_delay = 0 and no device delay: after a split both nodes may fence "
                + "each other at once; keep the default race_delay = \"5s\" or set a device delay"
        case .twoNodeWithoutWaitForAll:
            "quorum.wait_for_all: two_node with wait_for_all = false: after a cold start with the link down, "
                + "each node may take the service alone until fencing settles it"
        case .storageTimeoutBelowFailureTimeout(let storage, let failure):
            "quorum.storage_timeout: \(DurationText.format(storage)) is shorter than cluster.failure_timeout (\(DurationText.format(failure))): "
                + "a storage stall shorter than the network stall the cluster tolerates makes the holder release the service; "
                + "set storage_timeout to at least failure_timeout, and above the NAS's failover time (hactl check-storage shows the NFS timeouts)"
        case .etcdIgnored:
            "etcd: [etcd] is ignored: cluster.backend is \"builtin\" (set backend = \"etcd\" to use it)"
        case .quorumIgnoredWithEtcd:
            "quorum: [quorum] does not apply with cluster.backend = \"etcd\": etcd's own quorum decides who leads; remove the section"
        case .witnessIgnoredWithEtcd(let nodes):
            "node: with cluster.backend = \"etcd\" witness nodes have no role (etcd's members break ties); "
                + "remove \(nodes.map { "\"\($0)\"" }.joined(separator: ", ")) from [[node]]"
        }
    }
}
