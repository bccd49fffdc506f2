import ClusterCore
import ClusterHost
import FoundationEssentials

/// `hactl check-storage`'s cross-node probe through the cluster links: the local daemon
/// forwards a `StoragePeerProbe` to the peer's daemon (`ClusterRuntime.relay`), which runs it
/// on its own mount and answers with its `StoragePeerReport`.
enum StorageProbeRelay {
    static let timeout: Duration = .seconds(15)

    static func forward(_ probe: StoragePeerProbe, runtime: any CoordinationRuntime) async -> Result<StoragePeerReport, RelayFailure> {
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
    /// another node, or one `StoragePeerProbe.refusal(storagePath:)` refuses.
    static func answer(_ body: [UInt8], from peer: String, localNode: String, storagePath: String) async -> Result<[UInt8], RelayFailure> {
        let probe: StoragePeerProbe
        do {
            probe = try JSONDecoder().decode(StoragePeerProbe.self, from: Data(body))
        } catch {
            return .failure(.refused("\(localNode) cannot read the storage probe from \(peer): \(error)"))
        }
        guard probe.node == localNode else {
            return .failure(.refused("the probe is for \(probe.node), not \(localNode)"))
        }
        if let refusal = probe.refusal(storagePath: storagePath) {
            return .failure(.refused(refusal))
        }
        // The probe takes a lock and reads files: off the runtime's executor, bounded in time.
        guard let report = await probe.runBounded(localNode: localNode) else {
            return .failure(.refused("the storage probe did not finish on \(localNode) within 10s (storage hung?)"))
        }
        do {
            return .success(Array(try JSONEncoder().encode(report)))
        } catch {
            return .failure(.refused("cannot encode the report: \(error)"))
        }
    }
}
