import ClusterHost
import ClusterCore
import Fencing
import Logging
import Synchronization

/// What the runtime's core asks of this node, performed with the real components:
/// fencing through the `FenceCoordinator`, then the `TakeoverSequence` (lock,
/// floating IPs, units, health), and the release in reverse.
///
/// The core may name several nodes to fence first; they are fenced one by one
/// here (each reported `.fenced` / `.fenceFailed`), and the sequence is asked
/// for the rest of the takeover only when all succeeded: a failed fence never
/// touches the lock, the address or a unit.
///
/// It keeps no copy of the core's state: who held the service, whether it is
/// blocked and which nodes are fenced are the core's (`ElectionStatus`); the fence
/// race delay is the core's too (`Action.fence`), executed here as given.
final class ServiceEffects: RuntimeEffects {
    let localNode: String
    private let sequence: TakeoverSequence
    private let fencer: FenceCoordinator
    private let events: EventHub
    private let logger: Logger
    /// The last takeover's steps, for `hactl status` (`last_failover`).
    let lastFailover = Mutex<StatusReport.Failover?>(nil)

    init(localNode: String, sequence: TakeoverSequence, fencer: FenceCoordinator, events: EventHub, logger: Logger) {
        self.localNode = localNode
        self.sequence = sequence
        self.fencer = fencer
        self.events = events
        self.logger = logger
    }

    func takeOver(
        term: Term, fenceFirst: [String], context: TakeoverContext, report: @escaping @Sendable (ResourceReport) async -> Void
    ) async {
        let began = UTCTimestamp(secondsSinceEpoch: Int64(SystemClock.wallClockSeconds()))
        let decided = ContinuousClock.now
        let prelude = context.prelude
        let before = prelude.reduce(0) { $0 + $1.milliseconds }
        let steps = Mutex<[StatusReport.Failover.Step]>([])
        let from = context.previousHolder ?? fenceFirst.first
        let reason = fenceFirst.isEmpty ? "elected (term \(term))" : "elected (term \(term)); fenced \(fenceFirst.joined(separator: ", "))"
        let remember: @Sendable (Bool) -> Void = { [self] finished in
            let done = finished ? UTCTimestamp(secondsSinceEpoch: Int64(SystemClock.wallClockSeconds())) : nil
            // The whole timeline, exact (monotonic): the steps before the decision, then since it.
            let since = (ContinuousClock.now - decided).wholeMilliseconds
            var soFar = prelude + steps.withLock { $0 }
            let counted = soFar.reduce(0) { $0 + $1.milliseconds }
            if finished, before + since > counted {
                // Between the steps (queueing, events): shown, so that the steps add up to the total.
                soFar.append(.init(name: "other", milliseconds: before + since - counted, ok: true))
            }
            self.lastFailover.withLock {
                $0 = StatusReport.Failover(from: from, to: self.localNode, reason: reason, started: began, finished: done,
                                           steps: soFar, milliseconds: finished ? before + since : nil)
            }
        }
        remember(false)
        // The sequence fences each node of `fenceFirst` in order (through the coordinator:
        // levels, device delays), then lock, addresses, units, health. Each fence outcome
        // is reported to the core as it happens; the first failure blocks (the core then
        // shows the service `blocked` and retries).
        let outcome = await sequence.takeOver(
            term: term, fenceFirst: fenceFirst, fencer: fencer, addressesKnownFree: context.addressesKnownFree(fenceFirst: fenceFirst)
        ) { [self] fence in
            steps.withLock {
                $0.append(.init(name: "fence", milliseconds: fence.durationMilliseconds, ok: fence.succeeded, detail: "\(fence.node): \(fence.detail)"))
            }
            remember(!fence.succeeded)
            if fence.succeeded {
                await report(.fenced(node: fence.node))
            } else {
                // The core keeps the service blocked and retries with backoff; nothing was touched.
                await report(.fenceFailed(node: fence.node, reason: fence.detail))
            }
        }
        switch outcome {
        case let .started(taken):
            steps.withLock { steps in
                steps += taken.steps.filter { $0.step != .fence }.map { .init(name: $0.step.rawValue, milliseconds: $0.duration.wholeMilliseconds, ok: true) }
            }
            remember(true)
            await report(.takeoverSucceeded(term: term))
        case .blocked:
            remember(true)  // already reported as .fenceFailed
        case let .failed(step, error):
            steps.withLock { $0.append(.init(name: step.rawValue, milliseconds: 0, ok: false, detail: "\(error)")) }
            remember(true)
            await report(Self.failure(term: term, step: step, error: error))
        case let .selfFenced(step, error, undoError):
            steps.withLock { $0.append(.init(name: step.rawValue, milliseconds: 0, ok: false, detail: "\(error); undo failed: \(undoError)")) }
            remember(true)
            await report(.takeoverFailed(term: term, reason: "\(step.rawValue) failed and could not be undone (self-fenced): \(error)"))
        }
    }

    /// A failed takeover or restart, as the core hears it: the service itself did not come up
    /// (start, health wait): `.startFailed`, and this node is ineligible (start-failure-is-fatal);
    /// an infrastructure step (lock, addresses): `.takeoverFailed`, retried.
    static func failure(term: Term, step: TakeoverStep, error: any Error) -> ResourceReport {
        let reason = "\(step.rawValue) failed: \(error)"
        return step == .start || step == .healthy ? .startFailed(term: term, reason: reason) : .takeoverFailed(term: term, reason: reason)
    }

    func restartInPlace(term: Term, report: @escaping @Sendable (ResourceReport) async -> Void) async {
        switch await sequence.restartInPlace(term: term) {
        case .started:
            await report(.takeoverSucceeded(term: term))
        case .blocked:
            break  // a restart fences nobody
        case let .failed(step, error):
            await report(Self.failure(term: term, step: step, error: error))
        case let .selfFenced(step, error, _):
            await report(.takeoverFailed(term: term, reason: "restarting in place: \(step.rawValue) failed and could not be undone (self-fenced): \(error)"))
        }
    }

    func fence(node: String, delay: Duration) async -> FenceOutcome {
        // The core decided the race delay (`ElectionNode.fenceDelay(for:)`); the coordinator waits it.
        await fencer.fence(node: node, reason: "peer lost in two_node mode", trigger: .automatic, delay: delay)
    }

    func release(reason: ReleaseReason) async {
        let outcome = await sequence.release(reason: reason.rawValue)
        if case let .selfFenced(step, error) = outcome {
            logger.critical("release failed at \(step.rawValue) and this node fenced itself", metadata: ["error": "\(error)"])
        }
    }

    func record(_ event: EventRecord) {
        events.publish(event)
    }
}
