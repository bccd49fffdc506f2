import ClusterCore
import ClusterHost
import Dispatch
import FoundationEssentials
import Logging
import Synchronization

/// The disk heartbeat's shell (`[quorum] tie_breaker = "storage"`): once per heartbeat
/// interval it writes this node's heartbeat into its slot of the arbiter file and reads every
/// slot, on a thread of its own (a hung NFS call blocks that thread only), and hands each
/// cycle's result to the runtime (`Input.arbiter`). A cycle still running after an interval is
/// reported as failed every interval until it returns: the core counts no good cycle meanwhile,
/// which is how a hung storage becomes "storage lost" within `storage_timeout`.
///
/// Each cycle's read includes this node's mailbox (the storage fence device, `PoisonPillFence`):
/// a pill for this run stops the heartbeats and fences this node (`onPoison`); a pill for an
/// earlier run is stale (that run is gone) and is cleared.
final class ArbiterMonitor: Sendable {
    struct View: Sendable, Equatable {
        var file: String
        /// `direct` or `fallback` once the file is open; nil before.
        var ioMode: String?
        var fallbackReason: String?
        /// Reads and writes since the file was opened; nil before.
        var counters: ArbiterFile.Counters?
    }

    private let config: ClusterConfig
    private let codec: ArbiterCodec
    private let localNode: String
    private let incarnation: Incarnation
    private let runtime: ClusterRuntime
    private let logger: Logger
    private let interval: Duration
    private let onPoison: @Sendable (ArbiterPoison) async -> Void

    private struct Shared {
        var next: ArbiterHeartbeat?
        var busySince: Instant?
        var stopped = false
        var file: ArbiterFile?
        var reported: Set<String> = []
    }
    private let shared = Mutex(Shared())
    private let wake = DispatchSemaphore(value: 0)

    init(
        config: ClusterConfig, key: ClusterKey, localNode: String, incarnation: Incarnation, runtime: ClusterRuntime, logger: Logger,
        onPoison: @escaping @Sendable (ArbiterPoison) async -> Void
    ) {
        self.onPoison = onPoison
        self.config = config
        self.codec = ArbiterCodec(key: ArbiterKey(clusterKey: key, clusterName: config.cluster.name), layout: ArbiterLayout(config: config))
        self.localNode = localNode
        self.incarnation = incarnation
        self.runtime = runtime
        self.logger = logger
        self.interval = config.cluster.heartbeatInterval
    }

    var view: View {
        shared.withLock { state in
            View(file: config.storage.arbiterFile, ioMode: state.file?.ioMode.rawValue, fallbackReason: state.file?.fallbackReason,
                 counters: state.file?.counters)
        }
    }

    /// Runs the cycles until cancelled.
    func run() async {
        OSThread.start(name: "arbiter I/O") { [self] in ioLoop() }
        var counter: UInt64 = 0
        while !Task.isCancelled, !shared.withLock({ $0.stopped }) {
            let now = SystemClock.monotonicNow()
            let busy = shared.withLock { $0.busySince }
            if let busy {
                let waited = now.since(busy)
                if waited >= interval {
                    await runtime.arbiterCycle(.failed(reason: "\(config.storage.arbiterFile): I/O not finished after "
                        + "\(waited.wholeMilliseconds) ms (storage hung?)"))
                }
            } else {
                let fields = await runtime.arbiterFields()
                counter += 1
                let record = ArbiterHeartbeat(
                    node: localNode, incarnation: incarnation, term: fields.term, leader: fields.leader,
                    holding: fields.holding, counter: counter, wallClock: SystemClock.wallClockMilliseconds())
                shared.withLock {
                    $0.next = record
                    $0.busySince = now
                }
                wake.signal()
            }
            try? await Task.sleep(for: interval)
        }
        shared.withLock { $0.stopped = true }
        wake.signal()
    }

    /// The I/O thread: one cycle per wake-up.
    private func ioLoop() {
        while true {
            wake.wait()
            let (record, stopped, open) = shared.withLock { ($0.next, $0.stopped, $0.file) }
            if stopped { break }
            guard let record else { continue }
            let (cycle, pill) = perform(record, open: open)
            shared.withLock {
                $0.next = nil
                $0.busySince = nil
                if pill != nil { $0.stopped = true }
            }
            if let pill {
                // No heartbeat after the pill: the fencer sees this run's counter stop.
                let onPoison = self.onPoison
                Task { await onPoison(pill) }
                break
            }
            let runtime = self.runtime
            Task { await runtime.arbiterCycle(cycle) }
        }
        shared.withLock { $0.file?.close() }
    }

    /// One cycle; the pill when this node's mailbox holds one for this run.
    private func perform(_ record: ArbiterHeartbeat, open: ArbiterFile?) -> (ArbiterCycle, ArbiterPoison?) {
        do {
            let file: ArbiterFile
            if let open {
                file = open
            } else {
                file = try ArbiterFile(path: config.storage.arbiterFile, codec: codec, localNode: localNode)
                shared.withLock { $0.file = file }
                logger.notice("arbiter file \(config.storage.arbiterFile) open (\(file.ioMode)\(file.fallbackReason.map { ": \($0)" } ?? ""))")
            }
            try file.writeHeartbeat(record)
            let snapshot = try file.readSnapshot()
            var heartbeats: [String: ArbiterHeartbeat] = [:]
            for (node, slot) in snapshot.heartbeats where node != localNode {
                switch slot {
                case .valid(let heartbeat): heartbeats[node] = heartbeat
                case .empty: break
                case .invalid(let error): reportOnce("slot of \(node): \(error)")
                }
            }
            switch snapshot.mailboxes[localNode] {
            case .valid(let pill)? where pill.targetIncarnation == incarnation:
                return (.succeeded(heartbeats: heartbeats), pill)
            case .valid(let pill)?:
                try file.clearMailbox(of: localNode)
                logger.notice("arbiter: cleared a stale poison pill from \(pill.from) for run \(pill.targetIncarnation) of this node (this run is \(incarnation))")
            case .invalid(let error)?:
                reportOnce("own mailbox: \(error)")
            case .empty?, nil:
                break
            }
            return (.succeeded(heartbeats: heartbeats), nil)
        } catch {
            reportOnce("\(error)")
            return (.failed(reason: "\(error)"), nil)
        }
    }

    /// Logs a problem the first time it is seen (a failing storage repeats it every interval).
    private func reportOnce(_ problem: String) {
        let first = shared.withLock { $0.reported.insert(problem).inserted }
        if first { logger.warning("arbiter: \(problem)") }
    }
}
