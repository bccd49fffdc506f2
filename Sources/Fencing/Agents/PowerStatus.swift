/// The answer of an agent's `status` action: exit code 0 = on, 2 = off, anything else = unknown.
public enum PowerStatus: String, Sendable, Equatable, Codable {
    case on
    case off
    case unknown

    public init(statusExitCode code: Int32) {
        switch code {
        case 0: self = .on
        case 2: self = .off
        default: self = .unknown
        }
    }
}
