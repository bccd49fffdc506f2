import Crypto

/// A digest of the cluster-wide part of a configuration, one per section, so that nodes can
/// tell each other (`NodeInfo`) whether they run the same configuration and `hactl status`
/// can name the sections that differ.
///
/// Cluster-wide: what every node must agree on (cluster name, port and timings, quorum, the
/// node list, the service, the storage, the floating IPs, fencing and its devices). Left out,
/// because they may legitimately differ per node: file locations (`key_file`, `state_dir`,
/// `control_socket`, `control_read_group`, `fencing.agent_dir`, `etcd.endpoints` and its TLS files, a device's `password_file`, `service.health_ca_file`), `service.systemd_bus`,
/// a floating IP's `interface`, and the hardware watchdog. The key's content is not needed:
/// nodes with different keys cannot talk at all.
///
/// Each section's digest is the first 4 bytes of SHA-256 over a canonical text of its values
/// (fixed key order, durations as seconds and attoseconds, maps sorted by key), so it is stable across
/// releases for an unchanged configuration.
public struct ConfigDigest: Sendable, Equatable, Hashable {
    /// The sections, in this order, by their TOML names.
    public static let sectionNames = ["cluster", "quorum", "node", "service", "storage", "floating_ip", "fencing"]

    /// Section name → digest, for the sections this node knows (a later release may add some).
    public var sections: [String: UInt32]

    public init(sections: [String: UInt32]) {
        self.sections = sections
    }

    public init(_ config: ClusterConfig) {
        var sections: [String: UInt32] = [:]
        for (name, text) in Self.canonicalText(config) {
            let hash = Array(SHA256.hash(data: Array(text.utf8)))
            sections[name] = hash[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        self.sections = sections
    }

    /// One short text for the whole configuration: 8 hex digits over the sections in order.
    public var summary: String {
        var bytes: [UInt8] = []
        for name in Self.sectionNames.filter({ sections[$0] != nil }) + sections.keys.filter({ !Self.sectionNames.contains($0) }).sorted() {
            bytes.append(contentsOf: Array(name.utf8))
            let value = sections[name] ?? 0
            bytes.append(contentsOf: [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
        }
        let hash = Array(SHA256.hash(data: bytes))
        return HexText.bytes(hash[0..<4])
    }

    /// Sections whose digests differ from `other`'s, as `[name]`, in file order. A section only
    /// one side knows (a newer release) differs only if the other side knows it too.
    public func differingSections(from other: ConfigDigest) -> [String] {
        let names = Self.sectionNames + Set(sections.keys).union(other.sections.keys).subtracting(Self.sectionNames).sorted()
        return names.filter { name in
            guard let mine = sections[name], let theirs = other.sections[name] else { return false }
            return mine != theirs
        }
    }

    /// The canonical text of each section.
    static func canonicalText(_ config: ClusterConfig) -> [(String, String)] {
        func duration(_ value: Duration) -> String {
            let (seconds, attoseconds) = value.components
            return "\(seconds)s\(attoseconds)as"
        }
        func sorted(_ map: [String: String]) -> String {
            map.keys.sorted().map { "\($0)=\(map[$0]!)" }.joined(separator: ",")
        }
        func lines(_ pairs: [(String, String)]) -> String {
            pairs.map { "\($0.0)=\($0.1)\n" }.joined()
        }
        let cluster = config.cluster
        let service = config.service
        let storage = config.storage
        let fencing = config.fencing
        return [
            ("cluster", lines([
                ("name", cluster.name), ("port", "\(cluster.port)"),
                ("heartbeat_interval", duration(cluster.heartbeatInterval)),
                ("failure_timeout", duration(cluster.failureTimeout)),
                // The backend's line only when it is etcd: digests of other configurations stay as they were.
            ] + (cluster.backend == .builtin ? [] : [("backend", cluster.backend.rawValue)]))),
            // The tie-breaker's lines only when it is on: digests of other configurations stay as they were.
            ("quorum", lines([("two_node", "\(config.quorum.twoNode)"), ("wait_for_all", "\(config.quorum.waitForAll)")]
                + (config.quorum.tieBreaker == .none ? [] : [("tie_breaker", config.quorum.tieBreaker.rawValue),
                                                              ("storage_timeout", duration(config.storageTimeout))]))),
            ("node", config.nodes.map { node in
                lines([("name", node.name), ("addresses", node.addresses.joined(separator: ",")),
                       ("priority", "\(node.priority)"), ("role", node.role.rawValue)]) + "--\n"
            }.joined()),
            ("service", lines([
                ("name", service.name), ("units", service.units.joined(separator: ",")),
                ("start_timeout", duration(service.startTimeout)), ("stop_timeout", duration(service.stopTimeout)),
                ("monitor_interval", duration(service.monitorInterval)), ("health_url", service.healthURL ?? ""),
                ("health_rise", "\(service.healthRise)"), ("health_fall", "\(service.healthFall)"),
                ("health_timeout", duration(service.healthTimeout)),
                ("health_interval", duration(service.effectiveHealthInterval)),
                ("health_tls_verify", "\(service.healthTLSVerify)"),
                ("migration_threshold", "\(service.migrationThreshold)"), ("failure_expiry", duration(service.failureExpiry)),
            ]) + (service.unitTimeouts.isEmpty ? "" : lines([("unit_timeouts", service.units.compactMap { unit in
                service.unitTimeouts[unit].map { "\(unit):\($0.start.map(duration) ?? "-")/\($0.stop.map(duration) ?? "-")" }
            }.joined(separator: ","))]))),
            ("storage", lines([
                ("path", storage.path), ("lock_file", storage.lockFile), ("acquire_timeout", duration(storage.acquireTimeout)),
            ] + (config.quorum.tieBreaker == .none ? [] : [("arbiter_file", storage.arbiterFile)]))),
            ("floating_ip", config.floatingIPs.map { ip in
                // duplicate_check_always only when set: the digest of a configuration without it stays what it was.
                lines([("address", ip.cidr), ("arp_count", "\(ip.arpCount)"), ("duplicate_check", duration(ip.duplicateCheck))]
                      + (ip.duplicateCheckAlways ? [("duplicate_check_always", "true")] : [])) + "--\n"
            }.joined()),
            ("fencing", lines([
                ("enabled", "\(fencing.enabled)"), ("action", fencing.action.rawValue),
                ("timeout", duration(fencing.timeout)), ("race_delay", duration(fencing.raceDelay)),
                ("monitor_interval", duration(fencing.monitorInterval)),
            ]) + fencing.devices.map { device in
                lines([("device", device.name), ("agent", device.agent), ("nodes", device.nodes.joined(separator: ",")),
                       ("host_map", sorted(device.hostMap)), ("level", "\(device.level)"),
                       ("delay", duration(device.delay)), ("options", sorted(device.options))]) + "--\n"
            }.joined()),
        ] + (config.etcd.map { etcd in
            // Where the keys live and the lease's TTL must agree; endpoints and TLS files may
            // differ per node (each reaches etcd its own way).
            [("etcd", lines([("prefix", etcd.prefix), ("lease_ttl", duration(etcd.leaseTTL))]))]
        } ?? [])
    }
}
