/// The authenticated cleartext header of a datagram (see `WireFormat`).
public struct DatagramHeader: Sendable, Equatable {
    public var kind: WireFormat.PayloadKind
    public var clusterTag: [UInt8]
    public var sender: String
    public var recipient: String
    public var incarnation: Incarnation
    /// The recipient's run the sender addressed (0: the sender has not heard the recipient yet).
    public var recipientIncarnation: Incarnation
    public var sequence: UInt64

    public init(kind: WireFormat.PayloadKind, clusterTag: [UInt8], sender: String, recipient: String, incarnation: Incarnation, recipientIncarnation: Incarnation = Incarnation(0), sequence: UInt64) {
        self.kind = kind
        self.clusterTag = clusterTag
        self.sender = sender
        self.recipient = recipient
        self.incarnation = incarnation
        self.recipientIncarnation = recipientIncarnation
        self.sequence = sequence
    }

    public func encode(into writer: inout ByteWriter) {
        precondition(clusterTag.count == WireFormat.clusterTagSize)
        writer.write(bytes: WireFormat.magic)
        writer.write(WireFormat.version)
        writer.write(kind.rawValue)
        writer.write(bytes: clusterTag)
        writer.write(sender)
        writer.write(recipient)
        writer.write(incarnation.rawValue)
        writer.write(recipientIncarnation.rawValue)
        writer.write(sequence)
    }

    /// Parses the header at the start of `datagram`; returns it and the header's
    /// length (the associated data). Checks, in order: size, magic, version,
    /// kind, cluster tag, names. Never traps.
    public static func parse(_ datagram: [UInt8], expectedClusterTag: [UInt8]) throws(WireError) -> (header: DatagramHeader, length: Int) {
        guard datagram.count <= WireFormat.maxDatagramSize else {
            throw .oversized(length: datagram.count, max: WireFormat.maxDatagramSize)
        }
        guard datagram.count >= WireFormat.minimumDatagramSize else {
            throw .tooShort(length: datagram.count, minimum: WireFormat.minimumDatagramSize)
        }
        var reader = ByteReader(datagram)
        let truncated = WireError.tooShort(length: datagram.count, minimum: WireFormat.minimumDatagramSize)
        // The minimum size covers the fixed prefix; past it, running out of
        // bytes is truncation (`tooShort`), checked before each variable field.
        guard try reader.readBytes(4, "magic") == WireFormat.magic else { throw .badMagic }
        let version = try reader.readUInt8("version")
        guard version == WireFormat.version else { throw .unsupportedVersion(version) }
        let kindByte = try reader.readUInt8("kind")
        guard let kind = WireFormat.PayloadKind(rawValue: kindByte) else {
            throw .malformed(field: "kind", reason: "unknown payload kind \(kindByte)")
        }
        let clusterTag = try reader.readBytes(WireFormat.clusterTagSize, "cluster tag")
        guard clusterTag == expectedClusterTag else { throw .wrongCluster }
        let sender = try readName(&reader, "sender", truncated: truncated)
        let recipient = try readName(&reader, "recipient", truncated: truncated)
        guard reader.remaining >= 8 + 8 + 8 + WireFormat.tagSize else { throw truncated }
        let incarnation = Incarnation(try reader.readUInt64("incarnation"))
        let recipientIncarnation = Incarnation(try reader.readUInt64("recipient incarnation"))
        let sequence = try reader.readUInt64("sequence")
        let header = DatagramHeader(
            kind: kind, clusterTag: clusterTag, sender: sender, recipient: recipient,
            incarnation: incarnation, recipientIncarnation: recipientIncarnation, sequence: sequence)
        return (header, reader.offset)
    }

    private static func readName(_ reader: inout ByteReader, _ field: String, truncated: WireError) throws(WireError) -> String {
        guard reader.remaining >= 1, reader.remaining >= 1 + Int(reader.bytes[reader.offset]) else { throw truncated }
        let name = try reader.readString(field)
        guard !name.isEmpty else { throw .malformed(field: field, reason: "empty node name") }
        return name
    }
}
