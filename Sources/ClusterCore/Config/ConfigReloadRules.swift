/// What a reload (`systemctl reload haclusterd`, SIGHUP) may change in place, and what it
/// must refuse because the running cluster cannot take it live.
///
/// The nodes of a cluster must agree on its name, key, port, node list, addresses, timing and
/// quorum rules: one node reloaded with another value would no longer understand the others
/// (or, for the failure timeout and the quorum rules, would no longer honour the same lease
/// and quorum). Such a change is refused with the procedure that applies it. The state
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
    static func describe(_ ip: FloatingIPConfig) -> String {
        ip.cidr + (ip.interface.map { " on \($0)" } ?? "")
    }

    public static func refusals(
        running: ClusterConfig, new: ClusterConfig, keyChanged: Bool, newSource: String?, holdingService: Bool
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
        if oldNames != newNames {
            refuse("node", "[\(oldNames.joined(separator: ", "))] -> [\(newNames.joined(separator: ", "))]",
                   "stop the whole cluster, then start it with the new node list")
        } else {
            for (index, (old, updated)) in zip(running.nodes, new.nodes).enumerated() {
                changed("node[\(index)].addresses", old.addresses, updated.addresses,
                        "stop the whole cluster, then start it with the new addresses")
                changed("node[\(index)].role", old.role.rawValue, updated.role.rawValue)
            }
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
