/// The first byte of a heartbeat or mailbox block (0 would be an empty block).
public enum ArbiterRecordKind: UInt8, Sendable, CustomStringConvertible {
    case heartbeat = 2
    case poison = 3

    public var description: String {
        switch self {
        case .heartbeat: "heartbeat"
        case .poison: "poison pill"
        }
    }
}
