/// Why a relay to a peer's daemon got no answer.
public enum RelayFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not sent, or no answer in time.
    case unreachable(String)
    /// The peer answered with an error.
    case refused(String)

    public var description: String {
        switch self {
        case let .unreachable(reason): reason
        case let .refused(reason): reason
        }
    }
}
