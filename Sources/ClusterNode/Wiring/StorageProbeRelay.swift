import ClusterCore
import ClusterHost
import Foundation

/// `hactl check-storage`'s cross-node probe through the cluster links: the local daemon
/// forwards a `StoragePeerProbe` to the peer's daemon (`ClusterRuntime.relay`), which runs it
/// on its own mount and answers with its `StoragePeerReport`.
enum StorageProbeRelay {
    static let timeout: Duration = .seconds(15)

    static func forward(_ probe: StoragePeerProbe, runtime: ClusterRuntime) async -> Result<StoragePeerReport, RelayFailure> {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(probe))
        } catch {
            return .failure(.refused("cannot encode the probe: \(error)"))
        }
        switch await runtime.relay(body, to: probe.node, timeout: timeout) {
        case let .success(answer):
            do {
                return .success(try JSONDecoder().decode(StoragePeerReport.self, from: Data(answer)))
            } catch {
                return .failure(.refused("unreadable answer: \(error)"))
            }
        case let .failure(failure):
            return .failure(failure)
        }
    }

    /// Answers a peer's probe: runs it here, on this node's mount. Refused: a probe for
    /// another node, a relative path, or marker/lock names that leave the directory.
    static func answer(_ body: [UInt8], from peer: String, localNode: String) async -> Result<[UInt8], RelayFailure> {
        let probe: StoragePeerProbe
        do {
            probe = try JSONDecoder().decode(StoragePeerProbe.self, from: Data(body))
        } catch {
            return .failure(.refused("\(localNode) cannot read the storage probe from \(peer): \(error)"))
        }
        guard probe.node == localNode else {
            return .failure(.refused("the probe is for \(probe.node), not \(localNode)"))
        }
        guard probe.path.hasPrefix("/") else {
            return .failure(.refused("the storage path must be absolute, got '\(probe.path)'"))
        }
        for name in [probe.markerFile, probe.lockFile].compactMap({ $0 })
        where name.isEmpty || name.contains("/") || name == "." || name == ".." {
            return .failure(.refused("'\(name)' is not a file name inside \(probe.path)"))
        }
        // The probe takes a lock and reads files: off the runtime's executor.
        let report = await Task.detached { probe.run(localNode: localNode) }.value
        do {
            return .success(Array(try JSONEncoder().encode(report)))
        } catch {
            return .failure(.refused("cannot encode the report: \(error)"))
        }
    }
}
