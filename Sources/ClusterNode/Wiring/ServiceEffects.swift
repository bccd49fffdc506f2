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
    /// Set when fencing before a takeover failed (the service is `blocked`), cleared when a
    /// fence succeeds or the service is released/held.
    let blockedReason = Mutex<String?>(nil)

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
        let steps = Mutex<[StatusReport.Failover.Step]>([])
        let from = previousHolder.withLock { $0 } ?? fenceFirst.first
        let reason = fenceFirst.isEmpty ? "elected (term \(term))" : "elected (term \(term)); fenced \(fenceFirst.joined(separator: ", "))"
        let remember: @Sendable (Bool) -> Void = { [self] finished in
            let done = finished ? UTCTimestamp(secondsSinceEpoch: Int64(SystemClock.wallClockSeconds())) : nil
            let soFar = steps.withLock { $0 }
            self.lastFailover.withLock {
                $0 = StatusReport.Failover(from: from, to: self.localNode, reason: reason, started: began, finished: done, steps: soFar)
            }
        }
        remember(false)
        // The sequence fences each node of `fenceFirst` in order (through the coordinator:
        // levels, delays, the 2-node race rule), then lock, addresses, units, health. Each
        // fence outcome is reported to the core as it happens; the first failure blocks.
        let outcome = await sequence.takeOver(term: term, fenceFirst: fenceFirst, fencer: fencer) { [self] fence in
            steps.withLock {
                $0.append(.init(name: "fence", milliseconds: fence.durationMilliseconds, ok: fence.succeeded, detail: "\(fence.node): \(fence.detail)"))
            }
            remember(!fence.succeeded)
            if fence.succeeded {
                self.onFenced(fence.node)
                self.blockedReason.withLock { $0 = nil }
                await report(.fenced(node: fence.node))
            } else {
                // The core keeps the service blocked and retries with backoff; nothing was touched.
                self.blockedReason.withLock { $0 = "fencing \(fence.node) failed: \(fence.detail); retrying" }
                await report(.fenceFailed(node: fence.node, reason: fence.detail))
            }
        }
        switch outcome {
        case let .started(taken):
            blockedReason.withLock { $0 = nil }
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
            await report(.takeoverFailed(term: term, reason: "\(step.rawValue) failed: \(error)"))
        case let .selfFenced(step, error, undoError):
            steps.withLock { $0.append(.init(name: step.rawValue, milliseconds: 0, ok: false, detail: "\(error); undo failed: \(undoError)")) }
            remember(true)
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

    func record(_ event: EventRecord) {
        events.publish(event)
    }
}
