/// Constants of the datagram format (version 2).
///
/// ```
/// offset  size  field            (header = associated data of the AEAD)
///  0      4     magic "HACL"
///  4      1     version = 2
///  5      1     payload kind (1 = election message, 2 = node info, 3 = relay)
///  6      4     cluster tag: SHA-256("haclusterd/cluster/" + cluster name)[0..<4]
/// 10      1+n   sender node name (length byte, UTF-8, 1...255 bytes)
///  .      1+m   recipient node name
///  .      8     sender incarnation (big-endian)
///  .      8     recipient incarnation: the recipient's run this datagram is for, as the sender
///               last heard it (0: not heard yet). A receiver uses only datagrams bound to its
///               own run, so nothing sent to or captured from an earlier run is ever accepted.
///  .      8     sequence number (big-endian, from 1, one counter per incarnation)
///  .      k     ciphertext of the payload (ChaCha20-Poly1305)
///  .      16    authentication tag
/// ```
public enum WireFormat {
    public static let magic: [UInt8] = Array("HACL".utf8)
    /// 2 added the recipient incarnation; nodes of a release that speaks 1 cannot join.
    public static let version: UInt8 = 2
    /// Stay well under a 1500-byte Ethernet MTU with IPv6 + UDP headers.
    public static let maxDatagramSize = 1400
    /// Strings (node names) carry a one-byte length.
    public static let maxStringLength = 255
    public static let tagSize = 16
    public static let clusterTagSize = 4
    /// magic + version + kind + cluster tag.
    public static let fixedPrefixSize = 4 + 1 + 1 + clusterTagSize
    /// Fixed prefix, two one-byte names, both incarnations, sequence, tag: anything shorter is `tooShort`.
    public static let minimumDatagramSize = fixedPrefixSize + 2 * 2 + 8 + 8 + 8 + tagSize

    /// What the ciphertext holds.
    public enum PayloadKind: UInt8, Sendable {
        case electionMessage = 1
        /// `NodeInfo` (release, configuration digest). Added after the first release: a node
        /// of that release drops it as an unknown kind (and logs that once a minute).
        case nodeInfo = 2
        /// `RelayMessage`: a request to a peer's daemon and its answer (check-storage).
        case relay = 3
    }
}
