/// Whether the nodes run the same cluster-wide configuration and the same release, from
/// what each told (`NodeInfo`), as the warnings `hactl status` prints. Nodes that told
/// nothing (not heard yet, or a release without node info) are left out.
public enum ConfigAgreement {
    /// `local`: this node's name and info; `peers`: the info each peer told.
    public static func warnings(local: (node: String, info: NodeInfo), peers: [String: NodeInfo]) -> [String] {
        var warnings: [String] = []
        let differing = peers.keys.sorted().compactMap { name -> String? in
            guard let info = peers[name], info.config != local.info.config else { return nil }
            let sections = local.info.config.differingSections(from: info.config)
            let detail = sections.isEmpty ? "digest \(info.config.summary)" : sections.map { "[\($0)]" }.joined(separator: ", ")
            return "\(name) (\(detail))"
        }
        if !differing.isEmpty {
            warnings.append(
                "configuration differs from this node's (\(local.node), digest \(local.info.config.summary)) on "
                    + differing.joined(separator: "; ")
                    + ": make the configuration file the same on every node, then reload where it changed (systemctl reload haclusterd)")
        }
        var releases: [String: [String]] = [local.info.software: [local.node]]
        // A peer's release string is its own text: escaped before it reaches a log or a terminal.
        for (name, info) in peers { releases[LogSafeText.escape(info.software), default: []].append(name) }
        if releases.count > 1 {
            let list = releases.keys.sorted().map { "\($0) on \(releases[$0]!.sorted().joined(separator: ", "))" }
            warnings.append("nodes run different releases (\(list.joined(separator: "; "))): finish the upgrade on every node")
        }
        return warnings
    }
}
