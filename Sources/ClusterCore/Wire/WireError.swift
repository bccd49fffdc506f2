/// Why a datagram was rejected. The decoder returns these, never traps; each
/// rejection is also counted in `WireCounters` under its `reason`.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Shorter than the smallest valid datagram, or cut off inside the header.
    case tooShort(length: Int, minimum: Int)
    /// Larger than `WireFormat.maxDatagramSize`; rejected before any decryption.
    case oversized(length: Int, max: Int)
    case badMagic
    case unsupportedVersion(UInt8)
    /// The cleartext cluster tag is not ours: another cluster shares the network or port.
    case wrongCluster
    /// The sender name is not a configured node.
    case unknownSender(String)
    /// The datagram claims to come from the local node (a reflected datagram).
    case reflected
    /// Addressed to another node (a redirected datagram).
    case misdirected(to: String)
    /// The AEAD tag did not verify: wrong key, wrong cluster name, or a forged/corrupted datagram.
    case authenticationFailed(sender: String)
    /// Authentic, but its incarnation is older than the newest seen from that sender.
    case staleIncarnation(sender: String, incarnation: Incarnation, newest: Incarnation)
    /// Authentic, but its sequence number is older than the anti-replay window.
    case replayed(sender: String, sequence: UInt64)
    /// Authentic, and its sequence number was already accepted (a second link's copy, or a replay).
    case duplicate(sender: String, sequence: UInt64)
    /// A field does not decode (after authentication: version skew or a bug).
    case malformed(field: String, reason: String)
    /// The local sender ran out of sequence numbers for this incarnation (restart with a new one).
    case sequenceExhausted
    /// Authentic, but addressed to another run of this node (`recipientIncarnation` is not this
    /// run's incarnation; 0 when the sender has not heard this run yet): a datagram sent before
    /// this node (re)started, or a replay of one. Its payload is never used; the sender's
    /// incarnation is learnt from it, so that the next datagram to it is bound to its run.
    case otherRun(sender: String, incarnation: Incarnation, recipientIncarnation: Incarnation)
    /// Claims a configured peer but does not come from one of its configured addresses on the
    /// cluster port (`DatagramAdmission`: refused before any cryptography).
    case sourceMismatch(sender: String, source: String)
    /// A new incarnation of the sender, beyond the budget of key derivations per peer per second
    /// (`DatagramAdmission`: a flood of forged runs costs no key derivation past the budget).
    case rateLimited(sender: String, perSecond: Int)

    /// Stable names for counters and metrics.
    public enum Reason: String, Sendable, CaseIterable, Codable, CodingKeyRepresentable, Comparable {
        case tooShort = "too_short"
        case oversized
        case badMagic = "bad_magic"
        case unsupportedVersion = "unsupported_version"
        case wrongCluster = "wrong_cluster"
        case unknownSender = "unknown_sender"
        case reflected
        case misdirected
        case authenticationFailed = "authentication_failed"
        case staleIncarnation = "stale_incarnation"
        case replayed
        case duplicate
        case malformed
        case sequenceExhausted = "sequence_exhausted"
        case otherRun = "other_run"
        case sourceMismatch = "source_mismatch"
        case rateLimited = "rate_limited"

        public static func < (lhs: Reason, rhs: Reason) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var reason: Reason {
        switch self {
        case .tooShort: .tooShort
        case .oversized: .oversized
        case .badMagic: .badMagic
        case .unsupportedVersion: .unsupportedVersion
        case .wrongCluster: .wrongCluster
        case .unknownSender: .unknownSender
        case .reflected: .reflected
        case .misdirected: .misdirected
        case .authenticationFailed: .authenticationFailed
        case .staleIncarnation: .staleIncarnation
        case .replayed: .replayed
        case .duplicate: .duplicate
        case .malformed: .malformed
        case .sequenceExhausted: .sequenceExhausted
        case .otherRun: .otherRun
        case .sourceMismatch: .sourceMismatch
        case .rateLimited: .rateLimited
        }
    }

    /// The configured node that provably sent this datagram (it authenticated), if any.
    /// A duplicate still shows that the link it arrived on works.
    public var authenticatedSender: String? {
        switch self {
        case let .staleIncarnation(sender, _, _), let .replayed(sender, _), let .duplicate(sender, _):
            sender
        default:
            nil
        }
    }

    public var description: String {
        switch self {
        case let .tooShort(length, minimum):
            "datagram too short: \(length) bytes, expected at least \(minimum)"
        case let .oversized(length, max):
            "datagram too large: \(length) bytes, at most \(max) accepted"
        case .badMagic:
            "not a haclusterd datagram (bad magic)"
        case let .unsupportedVersion(version):
            "unsupported protocol version \(version), this node speaks \(WireFormat.version)"
        case .wrongCluster:
            "datagram from another cluster (cluster name differs)"
        case let .unknownSender(name):
            "datagram from unknown node '\(LogSafeText.escape(name))' (not in the configuration)"
        case .reflected:
            "datagram claims to come from this node (reflected)"
        case let .misdirected(to):
            "datagram addressed to node '\(LogSafeText.escape(to))', not to this node"
        case let .authenticationFailed(sender):
            "datagram claiming to be from '\(LogSafeText.escape(sender))' failed authentication (wrong cluster key or name, or forged)"
        case let .staleIncarnation(sender, incarnation, newest):
            "datagram from '\(sender)' has old incarnation \(incarnation), newest seen is \(newest)"
        case let .replayed(sender, sequence):
            "datagram from '\(sender)' with sequence \(sequence) is older than the replay window"
        case let .duplicate(sender, sequence):
            "datagram from '\(sender)' with sequence \(sequence) was already received"
        case let .malformed(field, reason):
            "malformed datagram: field '\(field)': \(LogSafeText.escape(reason))"
        case .sequenceExhausted:
            "sequence numbers exhausted for this incarnation; restart the daemon"
        case let .otherRun(sender, incarnation, recipientIncarnation):
            recipientIncarnation.rawValue == 0
                ? "datagram from '\(sender)' (incarnation \(incarnation)) was sent before it heard this run of the node; not used"
                : "datagram from '\(sender)' (incarnation \(incarnation)) is addressed to an earlier run of this node (incarnation \(recipientIncarnation)); not used"
        case let .sourceMismatch(sender, source):
            "datagram claiming to be from '\(LogSafeText.escape(sender))' came from \(source), not from one of its configured addresses on the cluster port"
        case let .rateLimited(sender, perSecond):
            "datagram claiming a new run of '\(LogSafeText.escape(sender))' beyond \(perSecond) new runs a second (a flood of forged datagrams?)"
        }
    }
}
