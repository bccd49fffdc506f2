import ClusterHost
import ClusterCore
import Logging
import Synchronization

/// Runs the `[[alert]]` programs on the cluster events they select (`AlertConfig.selects`), like
/// Pacemaker's alert agents: one program at a time per alert, in the order of the events, each
/// bounded by the alert's `timeout` (its process group is killed), with what happened in its
/// environment (`AlertEnvironment`).
///
/// It never delays the cluster: `enqueue` only appends to a bounded queue (`queueLimit` events per
/// alert; beyond that, new events are dropped and counted) and the programs run on their own
/// threads. A program that fails, hangs or cannot start is logged and counted (`counters`); its
/// next event runs anyway.
final class AlertDispatcher: Sendable {
    static let queueLimit = 64

    struct Counters: Sendable, Equatable {
        /// Runs that exited 0.
        var succeeded = 0
        /// Runs that exited non-zero or could not start.
        var failed = 0
        /// Runs killed at the timeout.
        var timedOut = 0
        /// Events dropped because the queue was full.
        var dropped = 0
    }

    private struct Queue {
        var pending: [(event: ClusterEvent, sequence: UInt64)] = []
        var running = false
        var counters = Counters()
    }

    private let alerts: [AlertConfig]
    private let cluster: String
    private let logger: Logger
    private let term: @Sendable () -> UInt64?
    private let queues: Mutex<[Queue]>
    private let sequence = Atomic<UInt64>(0)

    /// - term: the election term now (read when a program starts).
    init(alerts: [AlertConfig], cluster: String, logger: Logger, term: @escaping @Sendable () -> UInt64?) {
        self.alerts = alerts
        self.cluster = cluster
        self.logger = logger
        self.term = term
        self.queues = Mutex(alerts.map { _ in Queue() })
    }

    var isEmpty: Bool { alerts.isEmpty }

    /// Queues `event` for every alert that selects it; returns at once.
    func enqueue(_ event: ClusterEvent) {
        guard !alerts.isEmpty, let kind = EventKind(rawValue: event.kind) else { return }
        let number = sequence.add(1, ordering: .relaxed).newValue
        for (index, alert) in alerts.enumerated() where alert.selects(kind) {
            enum Outcome { case queued, start, dropped(Int) }
            let outcome: Outcome = queues.withLock { queues in
                var queue = queues[index]
                defer { queues[index] = queue }
                guard queue.pending.count < Self.queueLimit else {
                    queue.counters.dropped += 1
                    return .dropped(queue.counters.dropped)
                }
                queue.pending.append((event, number))
                if queue.running { return .queued }
                queue.running = true
                return .start
            }
            switch outcome {
            case .queued: break
            case .start: Task { await self.drain(index) }
            case let .dropped(total):
                logger.warning("alert \(alert.command): \(Self.queueLimit) events already waiting; dropped \(event.kind) (\(total) dropped so far)",
                               metadata: ["alert": "\(alert.command)"])
            }
        }
    }

    /// Each alert's counters, in configuration order.
    func counters() -> [Counters] {
        queues.withLock { $0.map(\.counters) }
    }

    private func drain(_ index: Int) async {
        while let next = queues.withLock({ queues -> (event: ClusterEvent, sequence: UInt64)? in
            guard !queues[index].pending.isEmpty else {
                queues[index].running = false
                return nil
            }
            return queues[index].pending.removeFirst()
        }) {
            await run(index, next.event, sequence: next.sequence)
        }
    }

    /// Adds one to a counter of alert `index`; returns its new value.
    private func count(_ index: Int, _ counter: WritableKeyPath<Counters, Int>) -> Int {
        queues.withLock { queues in
            queues[index].counters[keyPath: counter] += 1
            return queues[index].counters[keyPath: counter]
        }
    }

    private func run(_ index: Int, _ event: ClusterEvent, sequence: UInt64) async {
        let alert = alerts[index]
        let environment = AlertEnvironment.variables(event, cluster: cluster, term: term(), sequence: sequence)
        let what = "alert \(alert.command) for \(event.kind)"
        do {
            let result = try await ChildProcess.run([alert.command], timeout: alert.timeout, environment: environment)
            if result.timedOut {
                let total = count(index, \.timedOut)
                logger.warning("\(what) did not finish within \(DurationText.format(alert.timeout)) (timeout): killed; \(total) timed out so far",
                               metadata: ["alert": "\(alert.command)"])
            } else if result.status != 0 {
                let total = count(index, \.failed)
                let detail = result.diagnostic.isEmpty ? "" : ": \(LogSafeText.escape(result.diagnostic))"
                logger.warning("\(what) exited with status \(result.status)\(detail); \(total) failed so far",
                               metadata: ["alert": "\(alert.command)"])
            } else {
                _ = count(index, \.succeeded)
            }
        } catch {
            let total = count(index, \.failed)
            logger.warning("\(what) could not start: \(error); \(total) failed so far", metadata: ["alert": "\(alert.command)"])
        }
    }
}
