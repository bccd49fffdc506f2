import Foundation
import TOMLKit

/// INTERIM (daemon skeleton; deleted once ConfigLoader lands), replaced by the shared `ConfigLoader` (full validation) when it lands:
/// reads the keys the daemon skeleton needs, with the model's defaults.
public enum InterimConfigReader {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(path: String) throws -> ClusterConfig {
        func fail(_ message: String) -> Failure { Failure(description: "\(path): \(message)") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw fail("cannot read the file")
        }
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch { throw fail("not valid TOML: \(error)") }
        guard let cluster = root["cluster"]?.table, let name = cluster["name"]?.string else {
            throw fail("cluster.name: missing (expected a string)")
        }
        var settings = ClusterSettings(name: name)
        if let value = cluster["key_file"]?.string { settings.keyFile = value }
        if let value = cluster["state_dir"]?.string { settings.stateDir = value }
        if let value = cluster["control_socket"]?.string { settings.controlSocket = value }
        if let value = cluster["port"]?.int { settings.port = UInt16(value) }
        var nodes: [NodeConfig] = []
        for entry in root["node"]?.array ?? TOMLArray() {
            guard let table = entry.table, let nodeName = table["name"]?.string else { throw fail("node.name: missing") }
            let addresses = (table["addresses"]?.array ?? TOMLArray()).compactMap { $0.string }
            var node = NodeConfig(name: nodeName, addresses: addresses)
            if let priority = table["priority"]?.int { node.priority = priority }
            if table["role"]?.string == "witness" { node.role = .witness }
            nodes.append(node)
        }
        guard !nodes.isEmpty else { throw fail("node: at least one [[node]] is required") }
        guard let serviceTable = root["service"]?.table, let serviceName = serviceTable["name"]?.string else {
            throw fail("service.name: missing (expected a string)")
        }
        var service = ServiceConfig(name: serviceName, units: (serviceTable["units"]?.array ?? TOMLArray()).compactMap { $0.string })
        if serviceTable["systemd_bus"]?.string == "user" { service.systemdBus = .user }
        guard let storagePath = root["storage"]?["path"]?.string else { throw fail("storage.path: missing") }
        let storage = StorageConfig(path: storagePath, lockFile: root["storage"]?["lock_file"]?.string)
        var fencing = FencingConfig()
        if let enabled = root["fencing"]?["enabled"]?.bool { fencing.enabled = enabled }
        return ClusterConfig(cluster: settings, nodes: nodes, service: service, storage: storage, fencing: fencing, sourcePath: path)
    }
}
