/// Why a heartbeat or mailbox block of the arbiter file was refused, or could not be encoded.
public enum ArbiterRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than one block.
    case truncated(length: Int)
    /// The kind byte is none this release writes.
    case unknownKind(UInt8)
    /// A known kind in a record version this release does not read.
    case unsupportedVersion(kind: ArbiterRecordKind, version: UInt8)
    /// The HMAC does not verify.
    case authenticationFailed
    /// An authentic record written for another block (copied or written at the wrong offset).
    case wrongSlot(writtenFor: Int, foundIn: Int)
    /// An authentic record of the other kind (a poison pill in a heartbeat block, ...).
    case wrongKind(expected: ArbiterRecordKind, found: ArbiterRecordKind)
    /// An authentic record naming another node than the slot's owner.
    case nameMismatch(slotOwner: String, found: String)
    /// A field does not decode, or bytes are left where zeros belong.
    case malformed(String)
    /// Encoding: the node has no slot in this layout.
    case unknownNode(String)

    public var description: String {
        switch self {
        case let .truncated(length):
            "block is \(length) bytes, a block is \(ArbiterLayout.blockSize)"
        case let .unknownKind(kind):
            "unknown record kind \(kind) (not written by haclusterd, or by a newer release)"
        case let .unsupportedVersion(kind, version):
            "\(kind) record version \(version), this release reads version \(ArbiterCodec.recordVersion) (written by another release)"
        case .authenticationFailed:
            "not written by a holder of the cluster key (another cluster's key, or the block was altered)"
        case let .wrongSlot(writtenFor, foundIn):
            "an authentic record written for block \(writtenFor) found in block \(foundIn) (copied from another slot)"
        case let .wrongKind(expected, found):
            "expected a \(expected) record, found a \(found) record"
        case let .nameMismatch(owner, found):
            "the record names node '\(found)' but the slot belongs to '\(owner)' (the nodes' configurations list different nodes?)"
        case let .malformed(reason):
            "malformed record: \(reason)"
        case let .unknownNode(node):
            "node '\(node)' has no slot in the arbiter file's layout"
        }
    }
}
