/// Block 0 of the arbiter file: says whose file it is and how it is laid out.
///
/// ```
/// offset  size  field
///  0      8     magic "HACLARB1"
///  8      2     layout version (big-endian; 1)
/// 10      8     cluster tag: SHA-256("haclusterd/cluster/" + name)[0..<8]
/// 18      1+n   cluster name (length byte, UTF-8)
///  .      2     slot count
///  .      ...   slot owners in slot order (length byte + UTF-8 each)
///  .      32    HMAC-SHA256 (arbiter key) of everything before it
///  .            zeros to the end of the block
/// ```
///
/// The header holds no writer, clock or counter: every node of one configuration encodes the
/// same bytes, so two nodes that initialise a new file at once write identical blocks.
public struct ArbiterHeader: Sendable, Equatable {
    public static let magic: [UInt8] = Array("HACLARB1".utf8)
    /// The layout this release writes and reads.
    public static let layoutVersion: UInt16 = 1

    public var layoutVersion: UInt16
    public var clusterName: String
    public var clusterTag: [UInt8]
    /// The slot owners, in slot order.
    public var nodes: [String]

    public init(layoutVersion: UInt16 = ArbiterHeader.layoutVersion, clusterName: String, clusterTag: [UInt8], nodes: [String]) {
        self.layoutVersion = layoutVersion
        self.clusterName = clusterName
        self.clusterTag = clusterTag
        self.nodes = nodes
    }

    /// The header this node expects: its cluster, its layout.
    public init(key: ArbiterKey, layout: ArbiterLayout) {
        self.init(clusterName: key.clusterName, clusterTag: key.clusterTag, nodes: layout.nodes)
    }
}
