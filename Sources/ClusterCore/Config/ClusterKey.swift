/// The cluster key (`/etc/hacluster/authkey`): random bytes, identical on all nodes, mode 0600.
///
/// Only the bytes are kept here; the wire layer derives its AEAD key from them. `hactl keygen` writes
/// `generatedLength` bytes. The description never shows the bytes.
public struct ClusterKey: Sendable, Equatable, CustomStringConvertible {
    public static let minimumLength = 32
    public static let maximumLength = 4096
    /// What `hactl keygen` writes.
    public static let generatedLength = 64
    /// A random key of 32 bytes or more has well over this many distinct byte values
    /// (the expected count for 32 bytes is about 30); a typed word or a file of zeros has fewer.
    public static let minimumDistinctBytes = 16

    public let bytes: [UInt8]

    /// A key from bytes already in memory (tests, keygen). Traps on a length outside 32...4096:
    /// callers that read untrusted input use `load(path:)` (ClusterHost).
    public init(bytes: [UInt8]) {
        precondition((ClusterKey.minimumLength...ClusterKey.maximumLength).contains(bytes.count),
                     "cluster key must be \(ClusterKey.minimumLength)...\(ClusterKey.maximumLength) bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    public var description: String { "ClusterKey(\(bytes.count) bytes)" }
}
