extension ClusterConfig {
    /// Which configured node this machine is: `explicit` (`--node`) if given, else the one node having
    /// an address in `localAddresses`, else the node named like `hostname` (or its first label).
    /// Pure: the daemon passes the machine's addresses and hostname.
    public func resolveLocalNode(explicit: String?, localAddresses: [String], hostname: String) throws(ConfigError) -> NodeConfig {
        let known = nodes.map(\.name)
        if let explicit {
            guard let node = node(named: explicit) else {
                throw .noSuchNode(file: sourcePath, requested: explicit, known: known)
            }
            return node
        }

        let local = Set(localAddresses.compactMap { IPAddressLiteral(Self.withoutZoneOrPrefix($0)) })
        let matching = nodes.filter { node in node.addresses.contains { text in IPAddressLiteral(text).map { local.contains($0) } ?? false } }
        if matching.count == 1 { return matching[0] }
        if matching.count > 1 { throw .ambiguousLocalNode(file: sourcePath, candidates: matching.map(\.name)) }

        let shortName = hostname.split(separator: ".", maxSplits: 1).first.map(String.init) ?? hostname
        if let node = node(named: hostname) ?? node(named: shortName) { return node }
        throw .localNodeNotFound(file: sourcePath, hostname: hostname, known: known)
    }

    /// `fe80::1%eth0` -> `fe80::1`, `198.18.1.11/24` -> `198.18.1.11` (as `ip addr` prints them).
    private static func withoutZoneOrPrefix(_ text: String) -> String {
        String(text.prefix { $0 != "%" && $0 != "/" })
    }
}
