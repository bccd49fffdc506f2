/// What one heartbeat or mailbox block of the arbiter file holds, as decoded by `ArbiterCodec`.
public enum ArbiterRecord<Value: Sendable & Equatable>: Sendable, Equatable {
    /// All zeros: never written (or a cleared mailbox).
    case empty
    /// An authentic record written for this very block.
    case valid(Value)
    /// Anything else; the error says what (never trusted, never thrown: one bad block must
    /// not hide the others).
    case invalid(ArbiterRecordError)

    /// The record when valid.
    public var value: Value? {
        if case let .valid(value) = self { return value }
        return nil
    }

    /// The reason when invalid.
    public var error: ArbiterRecordError? {
        if case let .invalid(error) = self { return error }
        return nil
    }
}
