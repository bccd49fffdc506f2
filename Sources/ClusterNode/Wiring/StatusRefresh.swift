import ClusterCore
import Synchronization

/// When the daemon reads the runtime's status again for `STATUS=`, the hardware watchdog's
/// view and the adoption after `maintenance off`: at once after any event (elections,
/// takeovers, releases, peers lost or back and admin changes all publish one), and every
/// `interval` for what changes without one. A burst of events is one read.
///
/// Reading it four times a second whatever happened cost a passive node about a third of its
/// idle CPU (3-node cluster, default timings, 30 s idle: 0.63 % reading four times a second,
/// 0.43 % once a second).
final class StatusRefresh: Sendable {
    /// One element per read to do; never more than one waits.
    let reads: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let feeders: Mutex<[Task<Void, Never>]>

    init(events: AsyncStream<ClusterEvent>, interval: Duration) {
        let (reads, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.reads = reads
        self.continuation = continuation
        let onEvent = Task {
            for await _ in events { continuation.yield() }
        }
        let periodic = Task {
            while !Task.isCancelled {
                continuation.yield()
                try? await Task.sleep(for: interval)
            }
        }
        feeders = Mutex([onEvent, periodic])
    }

    /// Ends `reads` (a loop over it returns).
    func stop() {
        for task in feeders.withLock({ $0 }) { task.cancel() }
        continuation.finish()
    }
}
