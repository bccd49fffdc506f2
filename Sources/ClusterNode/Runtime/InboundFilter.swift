import ClusterCore
import ClusterHost
import NIOCore
import Synchronization

/// `DatagramAdmission` on the sockets' event loop: each received datagram is checked before
/// it is queued for the runtime, so forged ones (wrong source, a flood of new incarnations)
/// cost a header parse and never crowd the queue the peers' heartbeats wait in.
final class InboundFilter: Sendable {
    private let admission: Mutex<DatagramAdmission>
    /// Test mutation: admit everything (the runtime's queue takes the flood, as before the filter).
    let admitsEverything: Bool

    init(admission: DatagramAdmission, admitsEverything: Bool = false) {
        self.admission = Mutex(admission)
        self.admitsEverything = admitsEverything
    }

    /// The configured addresses in the form `SocketAddress.ipAddress` reports a source in.
    static func normalized(_ address: String) -> String {
        (try? SocketAddress(ipAddress: address, port: 0))?.ipAddress ?? address
    }

    func admit(_ bytes: [UInt8], from remote: SocketAddress) -> Bool {
        if admitsEverything { return true }
        let now = SystemClock.monotonicNow()
        let verdict = admission.withLock {
            $0.admit(bytes, sourceAddress: remote.ipAddress ?? "?", sourcePort: remote.port ?? 0, now: now)
        }
        return verdict == .admit
    }

    /// The session accepted (or learnt) `peer`'s run `incarnation`.
    func heard(_ peer: String, incarnation: Incarnation) {
        admission.withLock { $0.heard(peer, incarnation: incarnation) }
    }

    /// Rejections so far by reason, with the last one of each.
    var rejections: (counts: [WireError.Reason: UInt64], last: [WireError.Reason: DatagramAdmission.Rejection]) {
        admission.withLock { ($0.rejected, $0.lastRejection) }
    }
}
