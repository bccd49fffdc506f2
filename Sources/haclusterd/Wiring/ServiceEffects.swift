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
final class ServiceEffects: RuntimeEffects {
    let localNode: String
    private let sequence: TakeoverSequence
    private let fencer: FenceCoordinator
    private let events: EventHub
    private let logger: Logger
    /// The last takeover's steps, for `hactl status` (`last_failover`).
    let lastFailover = Mutex<StatusReport.Failover?>(nil)
    /// Who held the service before this node's takeover, as the runtime last reported it.
    let previousHolder = Mutex<String?>(nil)

    /// Told every node confirmed fenced (for `hactl status`).
    private let onFenced: @Sendable (String) -> Void

    init(
        localNode: String, sequence: TakeoverSequence, fencer: FenceCoordinator, events: EventHub, logger: Logger,
        onFenced: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.localNode = localNode
        self.sequence = sequence
        self.fencer = fencer
        self.events = events
        self.logger = logger
        self.onFenced = onFenced
    }

    func takeOver(
        term: Term, fenceFirst: [String], delayFencing: Bool, report: @escaping @Sendable (ResourceReport) async -> Void
    ) async {
        let began = UTCTimestamp(secondsSinceEpoch: Int64(SystemClock.wallClockSeconds()))
        var steps: [StatusReport.Failover.Step] = []
        let from = previousHolder.withLock { $0 } ?? fenceFirst.first
        func remember(finished: Bool) {
            let done = finished ? UTCTimestamp(secondsSinceEpoch: Int64(SystemClock.wallClockSeconds())) : nil
            lastFailover.withLock {
                $0 = StatusReport.Failover(
                    from: from, to: localNode, reason: fenceFirst.isEmpty ? "elected (term \(term))" : "elected (term \(term)); fenced \(fenceFirst.joined(separator: ", "))",
                    started: began, finished: done, steps: steps)
            }
        }
        remember(finished: false)
        for node in fenceFirst {
            if Task.isCancelled {
                await report(.takeoverFailed(term: term, reason: "cancelled before fencing \(node)"))
                return
            }
            let outcome = await fencer.fence(node: node, reason: "taking over the service (term \(term))", trigger: .automatic)
            steps.append(.init(name: "fence", milliseconds: outcome.durationMilliseconds, ok: outcome.succeeded, detail: "\(node): \(outcome.detail)"))
            remember(finished: !outcome.succeeded)
            if outcome.succeeded {
                onFenced(node)
                await report(.fenced(node: node))
            } else {
                // The core keeps the service blocked and retries with backoff; nothing was touched.
                await report(.fenceFailed(node: node, reason: outcome.detail))
                return
            }
        }
        if Task.isCancelled {
            await report(.takeoverFailed(term: term, reason: "cancelled before locking"))
            return
        }
        let outcome = await sequence.takeOver(term: term.rawValue, fenceFirst: nil, fencer: fencer)
        switch outcome {
        case let .started(taken):
            steps += taken.steps.map { .init(name: $0.step.rawValue, milliseconds: $0.duration.wholeMilliseconds, ok: true) }
            remember(finished: true)
            await report(.takeoverSucceeded(term: term))
        case let .blocked(reason, _):
            remember(finished: true)
            await report(.takeoverFailed(term: term, reason: reason))
        case let .failed(step, error):
            steps.append(.init(name: step.rawValue, milliseconds: 0, ok: false, detail: "\(error)"))
            remember(finished: true)
            await report(.takeoverFailed(term: term, reason: "\(step.rawValue) failed: \(error)"))
        case let .selfFenced(step, error, undoError):
            steps.append(.init(name: step.rawValue, milliseconds: 0, ok: false, detail: "\(error); undo failed: \(undoError)"))
            remember(finished: true)
            await report(.takeoverFailed(term: term, reason: "\(step.rawValue) failed and could not be undone (self-fenced): \(error)"))
        }
    }

    func fence(node: String, delayFencing: Bool) async -> FenceOutcome {
        // The coordinator applies the 2-node race rule itself (the holder fences at once,
        // the other waits); the core's `delayFencing` follows the same rule.
        let outcome = await fencer.fence(node: node, reason: "peer lost in two_node mode", trigger: .automatic)
        if outcome.succeeded { onFenced(node) }
        return outcome
    }

    func release(reason: ReleaseReason) async {
        let outcome = await sequence.release(reason: reason.rawValue)
        if case let .selfFenced(step, error) = outcome {
            logger.critical("release failed at \(step.rawValue) and this node fenced itself", metadata: ["error": "\(error)"])
        }
    }

    func record(_ event: ClusterEvent) {
        events.publish(event)
    }
}
