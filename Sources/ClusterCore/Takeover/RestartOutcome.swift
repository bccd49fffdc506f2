/// What `TakeoverSequence.restartInPlace` achieved.
public enum RestartOutcome: Sendable {
    case restarted
    /// A unit did not start again (or the service never became healthy); count the failure.
    case failed(error: any Error)
    /// A unit would not stop: this node fenced itself.
    case selfFenced(error: any Error)
}
