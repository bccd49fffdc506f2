extension ConfigLoader {
    /// Non-fatal findings about a valid configuration, in a stable order.
    public static func warnings(for config: ClusterConfig) -> [ConfigWarning] {
        var warnings: [ConfigWarning] = []
        if !config.fencing.enabled {
            warnings.append(.fencingDisabled)
            if !config.fencing.devices.isEmpty { warnings.append(.fenceDevicesIgnored(count: config.fencing.devices.count)) }
        }
        if config.cluster.backend == .etcd {
            if config.serviceNodes.count == 1 { warnings.append(.singleNode) }
            if config.quorum != QuorumSettings() { warnings.append(.quorumIgnoredWithEtcd) }
            let witnesses = config.nodes.filter { $0.role == .witness }.map(\.name)
            if !witnesses.isEmpty { warnings.append(.witnessIgnoredWithEtcd(nodes: witnesses)) }
            return warnings
        }
        if config.etcd != nil { warnings.append(.etcdIgnored) }
        let votes = config.votingNodes.count
        if votes == 1 {
            warnings.append(.singleNode)
        } else if votes % 2 == 0 && !(config.quorum.twoNode && votes == 2) {
            warnings.append(.evenVotingNodes(count: votes))
        }
        if config.quorum.twoNode {
            if config.fencing.enabled && config.fencing.raceDelay == .zero
                && !config.fencing.devices.contains(where: { $0.delay > .zero }) {
                warnings.append(.twoNodeWithoutFenceDelay)
            }
            if !config.quorum.waitForAll { warnings.append(.twoNodeWithoutWaitForAll) }
            if config.usesStorageTieBreaker && config.storageTimeout < config.cluster.failureTimeout {
                warnings.append(.storageTimeoutBelowFailureTimeout(storageTimeout: config.storageTimeout,
                                                                   failureTimeout: config.cluster.failureTimeout))
            }
        }
        return warnings
    }
}
