/// What a reload (`systemctl reload haclusterd`, SIGHUP) may change in place, and what it
/// must refuse because the running cluster cannot take it live.
///
/// The nodes of a cluster must agree on its name, key, port, nodes' addresses, timing and
/// quorum rules: one node reloaded with another value would no longer understand the others
/// (or, for the failure timeout and the quorum rules, would no longer honour the same lease
/// and quorum). Such a change is refused with the procedure that applies it. The node list
/// changes live one node at a time, with `hactl node add` / `node remove` (README, "Adding and
/// removing nodes"): a listed node that is not a member is a learner. The state
/// directory and control socket belong to the running daemon; the units, floating IPs and
/// lock file describe what a node running the service holds, so they only change where the
/// service does not run.
public struct ConfigReloadRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: ConfigLocation
    /// How it changed, e.g. `a -> b`.
    public var change: String
    /// How to apply it instead.
    public var procedure: String

    public var description: String {
        "\(location) changed (\(change)): \(procedure)"
    }
}

public enum ConfigReloadRules {
    static let wholeCluster = "stop the whole cluster, then start it with the new configuration on every node"

    /// Everything `new` changes that cannot take effect in place, in file order.
    /// - Parameters:
    ///   - keyChanged: the cluster key's bytes differ (the shell reads both).
    ///   - newSource: the new file's text, to name the line of each key.
    ///   - holdingService: this node runs (part of) the service right now.
    ///   - members: the recorded member list (`AdminState.voters`), nil before it is recorded.
    static func describe(_ ip: FloatingIPConfig) -> String {
        ip.cidr + (ip.interface.map { " on \($0)" } ?? "")
    }

    public static func refusals(
        running: ClusterConfig, new: ClusterConfig, keyChanged: Bool, newSource: String?, holdingService: Bool,
        members: [String]? = nil
    ) -> [ConfigReloadRefusal] {
        let document = newSource.flatMap { try? TOMLParser.parse($0) }
        var found: [ConfigReloadRefusal] = []
        func refuse(_ keyPath: String, _ change: String, _ procedure: String) {
            let location = ConfigLocation(file: new.sourcePath, keyPath: keyPath, line: document?.line(for: keyPath))
            found.append(ConfigReloadRefusal(location: location, change: change, procedure: procedure))
        }
        func changed<T: Equatable>(_ keyPath: String, _ old: T, _ new: T, _ procedure: String = wholeCluster) {
            guard old != new else { return }
            refuse(keyPath, "\(old) -> \(new)", procedure)
        }

        changed("cluster.name", running.cluster.name, new.cluster.name,
                "stop the whole cluster, then start it with the new name")
        if running.cluster.keyFile != new.cluster.keyFile || keyChanged {
            refuse("cluster.key_file",
                   running.cluster.keyFile != new.cluster.keyFile ? "\(running.cluster.keyFile) -> \(new.cluster.keyFile)" : "the key's content",
                   "stop the whole cluster, install the same key on every node, then start it")
        }
        changed("cluster.port", running.cluster.port, new.cluster.port)
        changed("cluster.failure_timeout", running.cluster.failureTimeout, new.cluster.failureTimeout,
                "every node must use the same failure timeout (leases depend on it): \(wholeCluster)")
        changed("cluster.state_dir", running.cluster.stateDir, new.cluster.stateDir,
                "restart haclusterd on this node while the service runs elsewhere (hactl move it away first)")
        changed("cluster.control_socket", running.cluster.controlSocket, new.cluster.controlSocket,
                "restart haclusterd on this node while the service runs elsewhere (hactl move it away first)")
        changed("cluster.control_read_group", running.cluster.controlReadGroup ?? "", new.cluster.controlReadGroup ?? "",
                "restart haclusterd on this node while the service runs elsewhere (hactl move it away first)")
        changed("quorum.two_node", running.quorum.twoNode, new.quorum.twoNode)
        changed("quorum.wait_for_all", running.quorum.waitForAll, new.quorum.waitForAll)
        changed("quorum.tie_breaker", running.quorum.tieBreaker.rawValue, new.quorum.tieBreaker.rawValue)
        changed("quorum.storage_timeout", running.storageTimeout, new.storageTimeout,
                "every node must use the same storage timeout: \(wholeCluster)")
        changed("storage.arbiter_file", running.storage.arbiterFile, new.storage.arbiterFile,
                "every node must use the same arbiter file: \(wholeCluster)")

        let oldNames = running.nodes.map(\.name)
        let newNames = new.nodes.map(\.name)
        let added = newNames.filter { !oldNames.contains($0) }
        let removed = oldNames.filter { !newNames.contains($0) }
        let kept = oldNames.filter { newNames.contains($0) }
        if kept != newNames.filter({ oldNames.contains($0) }) {
            refuse("node", "[\(oldNames.joined(separator: ", "))] -> [\(newNames.joined(separator: ", "))]",
                   "keep the nodes in the same order (add a node at the end): \(wholeCluster)")
        } else if !added.isEmpty || !removed.isEmpty {
            // A node added here is a learner until `hactl node add`; only a node that is not a
            // member any more may leave the list. Without a recorded member list every node
            // counts the configured nodes as the members, so the list cannot change live.
            if let members {
                for name in removed where members.contains(name) {
                    refuse("node", "\(name) removed", "\(name) is a voting member: run hactl node remove \(name) first, then reload")
                }
            } else {
                refuse("node", "[\(oldNames.joined(separator: ", "))] -> [\(newNames.joined(separator: ", "))]",
                       "the cluster has not recorded its member list yet (every node must run a release that knows member lists, and a coordinator be elected since): \(wholeCluster)")
            }
        }
        for (index, updated) in new.nodes.enumerated() {
            guard let old = running.node(named: updated.name) else { continue }
            changed("node[\(index)].addresses", old.addresses, updated.addresses,
                    "stop the whole cluster, then start it with the new addresses")
            changed("node[\(index)].role", old.role.rawValue, updated.role.rawValue)
        }

        if holdingService {
            let away = "the service runs on this node: move it away (hactl move) or disable it, reload, then move it back"
            changed("service.units", running.service.units, new.service.units, away)
            changed("floating_ip", running.floatingIPs.map(describe), new.floatingIPs.map(describe), away)
            changed("storage.lock_file", running.storage.lockFile, new.storage.lockFile, away)
        }
        return found.sorted { ($0.location.line ?? .max) < ($1.location.line ?? .max) }
    }
}
