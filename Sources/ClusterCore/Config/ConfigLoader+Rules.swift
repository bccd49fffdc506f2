/// Pass 2: rules between keys. Runs only on a configuration whose keys are each valid.
extension ConfigLoader {
    static func validateRules(_ config: ClusterConfig, _ diagnostics: ConfigDiagnostics) {
        let nodeNames = config.nodes.map(\.name)
        func nodePath(_ name: String, _ key: String) -> String {
            "node[\(config.nodes.firstIndex { $0.name == name } ?? 0)].\(key)"
        }

        // Membership.
        if config.nodes.count > maximumNodes {
            diagnostics.report(.inconsistent(diagnostics.location("node[\(maximumNodes)]"),
                                             .tooManyNodes(count: config.nodes.count, maximum: maximumNodes)))
        }
        if config.serviceNodes.isEmpty {
            diagnostics.report(.inconsistent(diagnostics.location("node[0].role"), .noEligibleNode))
        }

        // Failure detection: several heartbeats must be lost before a peer is declared failed.
        if config.cluster.failureTimeout <= config.cluster.heartbeatInterval * 3 {
            diagnostics.report(.inconsistent(diagnostics.location("cluster.failure_timeout"),
                                             .failureTimeoutTooShort(failureTimeout: config.cluster.failureTimeout,
                                                                     heartbeatInterval: config.cluster.heartbeatInterval)))
        }

        // Quorum.
        if config.quorum.twoNode {
            if config.votingNodes.count != 2 {
                diagnostics.report(.inconsistent(diagnostics.location("quorum.two_node"),
                                                 .twoNodeNeedsExactlyTwoNodes(votingNodes: config.votingNodes.count)))
            }
            if !config.fencing.enabled {
                diagnostics.report(.inconsistent(diagnostics.location("quorum.two_node"), .twoNodeNeedsFencing))
            }
        }

        // The storage tie-breaker: two nodes, several disk heartbeats, a file on the shared storage.
        if config.quorum.tieBreaker == .storage {
            if !config.quorum.twoNode {
                diagnostics.report(.inconsistent(diagnostics.location("quorum.tie_breaker"), .tieBreakerNeedsTwoNode))
            }
            if config.storageTimeout <= config.cluster.heartbeatInterval * 3 {
                diagnostics.report(.inconsistent(diagnostics.location("quorum.storage_timeout"),
                                                 .storageTimeoutTooShort(storageTimeout: config.storageTimeout,
                                                                         heartbeatInterval: config.cluster.heartbeatInterval)))
            }
            if !isStrictlyInside(config.storage.arbiterFile, config.storage.path) {
                diagnostics.report(.inconsistent(diagnostics.location("storage.arbiter_file"),
                                                 .arbiterFileNotOnStorage(arbiterFile: config.storage.arbiterFile, storagePath: config.storage.path)))
            }
        }
        // The built-in storage fence: only with the arbiter file and a watchdog, msgwait covering it.
        for (index, device) in config.fencing.devices.enumerated() where device.isStorage {
            let path = "fencing.device[\(index)]"
            if !config.usesStorageTieBreaker {
                diagnostics.report(.inconsistent(diagnostics.location("\(path).agent"), .storageFenceNeedsTieBreaker(device: device.name)))
            }
            if config.fencing.watchdog == nil {
                diagnostics.report(.inconsistent(diagnostics.location("\(path).agent"), .storageFenceNeedsWatchdog(device: device.name)))
            }
            for option in device.options.keys.sorted() where option != FenceDeviceConfig.msgwaitOption {
                diagnostics.report(.inconsistent(diagnostics.location("\(path).options.\(option)"),
                                                 .storageFenceOption(device: device.name, option: option)))
            }
            if let text = device.options[FenceDeviceConfig.msgwaitOption] {
                let parsed = try? Duration(configValue: text)
                if let parsed, parsed > ConfigTable.defaultMaximumDuration {
                    diagnostics.report(.durationTooLong(diagnostics.location("\(path).options.msgwait"), value: parsed,
                                                        maximum: ConfigTable.defaultMaximumDuration))
                } else if parsed == nil || parsed! < config.fencing.watchdogTimeout * 2 {
                    diagnostics.report(.inconsistent(diagnostics.location("\(path).options.msgwait"),
                                                     .msgwaitTooShort(device: device.name, msgwait: text, watchdogTimeout: config.fencing.watchdogTimeout)))
                }
            }
        }

        // Fencing devices name real nodes; with fencing on, every node that can run the service is covered.
        for (index, device) in config.fencing.devices.enumerated() {
            let path = "fencing.device[\(index)]"
            if device.nodes.isEmpty && device.hostMap.isEmpty {
                diagnostics.report(.inconsistent(diagnostics.location("\(path).name"),
                                                 .deviceFencesNothing(device: device.name)))
            }
            for (i, node) in device.nodes.enumerated() where !nodeNames.contains(node) {
                diagnostics.report(.inconsistent(diagnostics.location("\(path).nodes[\(i)]"),
                                                 .unknownNode(name: node, known: nodeNames)))
            }
            for node in device.hostMap.keys.sorted() where !nodeNames.contains(node) {
                diagnostics.report(.inconsistent(diagnostics.location("\(path).host_map"),
                                                 .unknownNode(name: node, known: nodeNames)))
            }
        }
        if config.fencing.enabled {
            for node in config.serviceNodes where !config.fencing.devices.contains(where: { $0.covers(node.name) }) {
                let key = config.fencing.devices.isEmpty ? "fencing.device" : nodePath(node.name, "name")
                diagnostics.report(.inconsistent(diagnostics.location(key), .nodeNotFenced(node: node.name)))
            }
        }

        // Storage: the lock is on the shared storage, the node's own state is not.
        let storagePath = config.storage.path
        if !isStrictlyInside(config.storage.lockFile, storagePath) {
            diagnostics.report(.inconsistent(diagnostics.location("storage.lock_file"),
                                             .lockFileNotOnStorage(lockFile: config.storage.lockFile, storagePath: storagePath)))
        }
        if isInside(config.cluster.stateDir, storagePath) {
            diagnostics.report(.inconsistent(diagnostics.location("cluster.state_dir"),
                                             .stateDirOnSharedStorage(stateDir: config.cluster.stateDir, storagePath: storagePath)))
        }

        // Floating addresses belong to no node.
        for (index, floating) in config.floatingIPs.enumerated() {
            guard let address = IPAddressLiteral(floating.address) else { continue }
            for node in config.nodes where node.addresses.contains(where: { IPAddressLiteral($0) == address }) {
                diagnostics.report(.inconsistent(diagnostics.location("floating_ip[\(index)].address"),
                                                 .floatingAddressIsNodeAddress(address: floating.address, node: node.name)))
            }
        }
    }

    /// Path components with empty and `.` components removed (`/a//b/./c/` -> [a, b, c]).
    static func components(_ path: String) -> [Substring] {
        path.split(separator: "/").filter { $0 != "." }
    }

    /// `path` is `directory` or below it (compared by components; `..` is never resolved, so
    /// a path containing `..` counts as outside).
    static func isInside(_ path: String, _ directory: String) -> Bool {
        let p = components(path), d = components(directory)
        guard !p.contains(".."), !d.contains("..") else { return false }
        return p.count >= d.count && Array(p.prefix(d.count)) == d
    }

    /// `path` is below `directory` and not the directory itself.
    static func isStrictlyInside(_ path: String, _ directory: String) -> Bool {
        isInside(path, directory) && components(path).count > components(directory).count
    }
}
