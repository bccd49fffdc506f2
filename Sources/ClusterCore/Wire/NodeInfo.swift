/// What a node tells its peers about itself, outside the election (payload kind
/// `nodeInfo`): the release it runs, the digest of its cluster-wide configuration, and
/// where its own copy of the service stands. Nodes compare digests so that `hactl status`
/// can warn when the configuration differs between nodes (a file edited on one node and not
/// copied, a reload forgotten); the service phase lets every node's `hactl status` (and
/// `hactl move --wait`) tell a takeover still starting from a service that answers.
///
/// Encoding (the plaintext of a datagram of kind 2):
/// ```
/// info     = format:u8 (1) flags:u8 software:string sections:u8 section... [service:u8]
/// flags    = bit 0: reply wanted (the sender has no info from the recipient yet)
///            bit 1: the sender decodes member lists (`AdminState.voters` in heartbeats)
/// section  = name:string digest:u32
/// service  = 0 idle, 1 starting, 2 started, 3 stopping (`ServicePhase`)
/// ```
/// The service byte came after the first release, which ignores it; an info without it (from
/// that release) has no phase, and a value this release does not know reads as none. Bytes
/// after it are reserved for later formats and ignored, and so is a flag bit this release does
/// not know: a node of the next release may add fields without breaking this one. A format
/// below 1, or an info cut short, is malformed.
public struct NodeInfo: Sendable, Equatable {
    public static let format: UInt8 = 1
    static let maxSections = 32

    /// Where a node's own copy of the service stands, as it tells its peers.
    public enum ServicePhase: UInt8, Sendable, Equatable, CaseIterable {
        /// Not running it here.
        case idle = 0
        /// A takeover (or a restart in place) is under way: fence, lock, addresses, units, health.
        case starting = 1
        /// Taken over: units active and the health check passed.
        case started = 2
        /// Being released.
        case stopping = 3

        public var name: String {
            switch self {
            case .idle: "idle"
            case .starting: "starting"
            case .started: "started"
            case .stopping: "stopping"
            }
        }
    }

    public var software: String
    public var config: ConfigDigest
    public var replyWanted: Bool
    /// nil: the node did not tell (the first release).
    public var service: ServicePhase?
    /// The node decodes heartbeats that carry the member list (false: an earlier release).
    public var membersSupported: Bool

    public init(software: String, config: ConfigDigest, replyWanted: Bool = false, service: ServicePhase? = nil, membersSupported: Bool = true) {
        self.software = software
        self.config = config
        self.replyWanted = replyWanted
        self.service = service
        self.membersSupported = membersSupported
    }

    public func encode() throws(WireError) -> [UInt8] {
        var w = ByteWriter(capacity: 96)
        w.write(Self.format)
        w.write(UInt8((replyWanted ? 1 : 0) | (membersSupported ? 2 : 0)))
        w.write(software)
        let names = ConfigDigest.sectionNames.filter { config.sections[$0] != nil }
            + config.sections.keys.filter { !ConfigDigest.sectionNames.contains($0) }.sorted()
        w.write(UInt8(min(names.count, Self.maxSections)))
        for name in names.prefix(Self.maxSections) {
            w.write(name)
            w.write(config.sections[name] ?? 0)
        }
        if let service { w.write(service.rawValue) }
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
        let service = r.isAtEnd ? nil : ServicePhase(rawValue: try r.readUInt8("service phase"))
        // Anything after this is a later format's: ignored on purpose.
        return NodeInfo(
            software: software, config: ConfigDigest(sections: sections), replyWanted: flags & 1 != 0, service: service,
            membersSupported: flags & 2 != 0)
    }
}
