import ClusterHost
import ClusterCore
import Glibc

/// Decides which configured node this daemon is: `--node NAME`, else the node
/// one of whose addresses is on a local interface, else the node named like
/// the hostname (full or up to the first dot).
struct NodeResolver {
    var config: ClusterConfig
    var localAddresses: LocalAddresses
    var hostname: String

    func resolve(requested: String?) throws(DaemonError) -> NodeConfig {
        let known = config.nodes.map(\.name)
        if let requested {
            guard let node = config.node(named: requested) else {
                throw .unknownNode(name: requested, known: known)
            }
            return node
        }
        let local = config.nodes.filter { node in node.addresses.contains { localAddresses.contains($0) } }
        if local.count == 1 { return local[0] }
        if local.count > 1 {
            // Several nodes on one machine (loopback test set-ups): the hostname may still decide.
            if let node = byHostname(among: local) { return node }
            throw .ambiguousLocalNode(candidates: local.map(\.name))
        }
        if let node = byHostname(among: config.nodes) { return node }
        throw .noLocalNode(hostname: hostname, known: known)
    }

    private func byHostname(among nodes: [NodeConfig]) -> NodeConfig? {
        let short = hostname.split(separator: ".", maxSplits: 1).first.map(String.init) ?? hostname
        return nodes.first { $0.name == hostname } ?? nodes.first { $0.name == short }
    }

    static func currentHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
