/// What `TakeoverSequence.takeOver` achieved.
public enum TakeoverOutcome: Sendable {
    /// This node holds the lock and the address(es), the units run (and are healthy).
    case started(TakeoverReport)
    /// Fencing the previous active node failed: nothing was touched. The service stays
    /// `blocked` with this reason; retry with backoff, never start without a successful fence.
    case blocked(reason: String, fence: FenceOutcome)
    /// A step failed; everything done before it was undone, in reverse.
    case failed(step: TakeoverStep, error: any Error)
    /// A step failed and undoing it failed too (a unit would not stop): this node fenced itself.
    case selfFenced(step: TakeoverStep, error: any Error, undoError: any Error)

    public var isStarted: Bool {
        if case .started = self { return true }
        return false
    }
}

/// Durations of a successful takeover's steps, in order.
public struct TakeoverReport: Sendable, Equatable {
    public var term: Term
    public var steps: [StepDuration]

    public init(term: Term, steps: [StepDuration]) {
        self.term = term
        self.steps = steps
    }

    public struct StepDuration: Sendable, Equatable {
        public var step: TakeoverStep
        public var duration: Duration

        public init(step: TakeoverStep, duration: Duration) {
            self.step = step
            self.duration = duration
        }
    }

    public func duration(of step: TakeoverStep) -> Duration? {
        steps.first { $0.step == step }?.duration
    }
}
