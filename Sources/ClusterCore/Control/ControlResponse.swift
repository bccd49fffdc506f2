/// The daemon's answer to one request: a result or a typed error.
public enum ControlResponse: Sendable, Equatable {
    case result(ControlResult)
    case error(ControlError)
}
