/// What `TakeoverSequence.release` achieved.
public enum ReleaseOutcome: Sendable {
    /// Units stopped, addresses removed, lock given up.
    case released
    /// A step failed (a unit would not stop, an address would not go): this node fenced
    /// itself rather than keep part of a service another node is about to start. The lock and
    /// what was not yet released stay held until the node goes down.
    case selfFenced(step: ReleaseStep, error: any Error)

    public var isReleased: Bool {
        if case .released = self { return true }
        return false
    }
}
