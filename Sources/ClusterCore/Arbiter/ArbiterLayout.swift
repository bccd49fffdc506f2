/// Where everything lives in the arbiter file (`[quorum] tie_breaker = "storage"`).
///
/// The file is a row of 4096-byte blocks, so that every read and write is one aligned block
/// (O_DIRECT needs the offset, the length and the buffer aligned to the device's block size;
/// 4096 covers 512- and 4096-byte sectors):
///
/// ```
/// block 0          header: magic "HACLARB1", layout version, cluster tag and name, slot owners
///                  (written once, by whoever initialises the file; identical on every node)
/// block 1 + 2i     heartbeat of the node of slot i (written by that node only)
/// block 2 + 2i     mailbox of the node of slot i (written by the others: poison pills)
/// ```
///
/// Slot i belongs to the i-th node of the configuration's `[[node]]` list (witnesses
/// included) sorted by the UTF-8 bytes of the names, so every node computes the same layout
/// from the same configuration whatever the order of its `[[node]]` tables. The header
/// records the slot owners: a node whose configuration lists other nodes is refused rather
/// than writing into a slot another node reads as its own.
public struct ArbiterLayout: Sendable, Equatable {
    /// One record per block; also the alignment of every I/O.
    public static let blockSize = 4096
    /// The header's offset in the file.
    public static let headerOffset = 0
    /// Where the arbiter file lives on the shared storage unless configured otherwise.
    public static let defaultRelativePath = ".hacluster/arbiter"

    /// The slot owners, in slot order (sorted by UTF-8 bytes, no duplicates).
    public let nodes: [String]

    /// One node's place in the file.
    public struct Slot: Sendable, Equatable {
        public var node: String
        public var index: Int
        /// Offset of the node's heartbeat block (written by the node itself).
        public var heartbeatOffset: Int
        /// Offset of the node's mailbox block (written by the other nodes).
        public var mailboxOffset: Int
    }

    /// The layout for these node names (any order; duplicates count once).
    public init(nodes: some Sequence<String>) {
        self.nodes = Set(nodes).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The layout of a configuration: every `[[node]]`, witnesses included.
    public init(config: ClusterConfig) {
        self.init(nodes: config.nodes.map(\.name))
    }

    /// `<storage.path>/.hacluster/arbiter`.
    public static func defaultPath(storagePath: String) -> String {
        (storagePath.hasSuffix("/") ? storagePath : storagePath + "/") + defaultRelativePath
    }

    public static func heartbeatOffset(slot: Int) -> Int { blockSize * (1 + 2 * slot) }
    public static func mailboxOffset(slot: Int) -> Int { blockSize * (2 + 2 * slot) }

    /// The block number of a byte offset (the value bound into each record's MAC).
    public static func blockIndex(offset: Int) -> Int { offset / blockSize }

    /// The slot of `node`, nil when the node is not in this layout.
    public func slot(of node: String) -> Slot? {
        guard let index = nodes.firstIndex(of: node) else { return nil }
        return slot(at: index)
    }

    /// The slot at `index` (0 ..< nodes.count).
    public func slot(at index: Int) -> Slot {
        precondition(nodes.indices.contains(index), "slot \(index) outside 0..<\(nodes.count)")
        return Slot(node: nodes[index], index: index,
                    heartbeatOffset: Self.heartbeatOffset(slot: index),
                    mailboxOffset: Self.mailboxOffset(slot: index))
    }

    /// Every slot, in file order.
    public var slots: [Slot] { nodes.indices.map(slot(at:)) }

    /// The whole file: the header and two blocks per node.
    public var fileSize: Int { Self.blockSize * (1 + 2 * nodes.count) }

    /// The heartbeat and mailbox blocks of every node (everything but the header).
    public var slotsRange: Range<Int> { Self.blockSize..<fileSize }
}
