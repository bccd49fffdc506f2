/// What a node tells its peers about itself, outside the election (payload kind
/// `nodeInfo`): the release it runs and the digest of its cluster-wide configuration.
/// Nodes compare digests so that `hactl status` can warn when the configuration differs
/// between nodes (a file edited on one node and not copied, a reload forgotten).
///
/// Encoding (the plaintext of a datagram of kind 2):
/// ```
/// info     = format:u8 (1) flags:u8 software:string sections:u8 section...
/// flags    = bit 0: reply wanted (the sender has no info from the recipient yet)
/// section  = name:string digest:u32
/// ```
/// Bytes after the last section are reserved for later formats and ignored, and so is a
/// flag bit this release does not know: a node of the next release may add fields without
/// breaking this one. A format below 1, or an info cut short, is malformed.
public struct NodeInfo: Sendable, Equatable {
    public static let format: UInt8 = 1
    static let maxSections = 32

    public var software: String
    public var config: ConfigDigest
    public var replyWanted: Bool

    public init(software: String, config: ConfigDigest, replyWanted: Bool = false) {
        self.software = software
        self.config = config
        self.replyWanted = replyWanted
    }

    public func encode() throws(WireError) -> [UInt8] {
        var w = ByteWriter(capacity: 96)
        w.write(Self.format)
        w.write(UInt8(replyWanted ? 1 : 0))
        w.write(software)
        let names = ConfigDigest.sectionNames.filter { config.sections[$0] != nil }
            + config.sections.keys.filter { !ConfigDigest.sectionNames.contains($0) }.sorted()
        w.write(UInt8(min(names.count, Self.maxSections)))
        for name in names.prefix(Self.maxSections) {
            w.write(name)
            w.write(config.sections[name] ?? 0)
        }
        return try w.checked()
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> NodeInfo {
        var r = ByteReader(bytes)
        let format = try r.readUInt8("node info format")
        guard format >= 1 else { throw .malformed(field: "node info format", reason: "format 0 does not exist") }
        let flags = try r.readUInt8("node info flags")
        let software = try r.readString("software")
        let count = try r.readUInt8("sections")
        guard Int(count) <= maxSections else {
            throw .malformed(field: "sections", reason: "\(count) sections, at most \(maxSections)")
        }
        var sections: [String: UInt32] = [:]
        for _ in 0..<count {
            let name = try r.readString("section name")
            guard !name.isEmpty else { throw .malformed(field: "section name", reason: "empty") }
            sections[name] = try r.readUInt32("section digest")
        }
        // Anything after this is a later format's: ignored on purpose.
        return NodeInfo(software: software, config: ConfigDigest(sections: sections), replyWanted: flags & 1 != 0)
    }
}
