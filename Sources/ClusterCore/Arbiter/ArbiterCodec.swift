/// Encodes and decodes the blocks of the arbiter file (see `ArbiterLayout` for where they
/// live, `ArbiterHeader` for block 0). Every block is exactly `ArbiterLayout.blockSize` bytes.
///
/// A heartbeat or mailbox block:
/// ```
/// offset  size  field
///  0      1     kind (2 = heartbeat, 3 = poison pill; 0 = an empty block, all zeros)
///  1      1     record version (1)
///  2      4     block index in the file (offset / 4096), big-endian
///  6      2     body length n
///  8      n     body (big-endian integers, strings as length byte + UTF-8)
///  8+n    32    HMAC-SHA256 (arbiter key) of bytes 0 ..< 8+n
///  .            zeros to the end of the block
///
/// heartbeat body:  node, incarnation u64, term u64, leader u8, holding u8, counter u64, wall clock u64
/// poison body:     target, target incarnation u64, from, wall clock u64
/// ```
///
/// The block index is inside the authenticated bytes, so an authentic block copied into
/// another slot (by a confused writer, a restore, a misdirected write of the storage) is
/// refused as `wrongSlot` instead of being read as that slot's owner's.
///
/// Decoding never traps and never throws: garbage, truncation and forgery all come back as
/// `ArbiterRecord.invalid` with the reason, so one bad block never hides the others.
public struct ArbiterCodec: Sendable {
    /// The record version this release writes and reads.
    public static let recordVersion: UInt8 = 1
    /// Kind, version, block index, body length.
    static let recordPrefixSize = 8

    public let key: ArbiterKey
    public let layout: ArbiterLayout

    public init(key: ArbiterKey, layout: ArbiterLayout) {
        self.key = key
        self.layout = layout
    }

    // MARK: Header

    /// The header block of this cluster and layout (the same bytes on every node).
    public func encodeHeader() throws(ArbiterHeaderError) -> [UInt8] {
        let header = ArbiterHeader(key: key, layout: layout)
        var writer = ByteWriter(capacity: ArbiterLayout.blockSize)
        writer.write(bytes: ArbiterHeader.magic)
        writer.write(header.layoutVersion)
        writer.write(bytes: header.clusterTag)
        writer.write(header.clusterName)
        writer.writeArray(header.nodes) { $0.write($1) }
        guard writer.firstError == nil, writer.count + ArbiterKey.tagSize <= ArbiterLayout.blockSize else {
            throw .malformed("the cluster name and \(header.nodes.count) node names do not fit in one \(ArbiterLayout.blockSize)-byte block")
        }
        let signed = writer.bytes
        return Self.padded(signed + key.authenticationCode(for: signed[...]))
    }

    /// Decodes block 0 and checks that it is this node's: this cluster (name and key), this
    /// layout version, these slot owners. Returns the header when it is.
    @discardableResult
    public func checkHeader(_ block: [UInt8]) throws(ArbiterHeaderError) -> ArbiterHeader {
        guard block.count >= ArbiterLayout.blockSize else { throw .truncated(length: block.count) }
        guard block.count == ArbiterLayout.blockSize else {
            throw .malformed("\(block.count) bytes, a block is \(ArbiterLayout.blockSize)")
        }
        if Self.isZero(block[...]) { throw .notInitialised }
        guard block.starts(with: ArbiterHeader.magic) else { throw .notAnArbiterFile }
        var reader = ByteReader(block, offset: ArbiterHeader.magic.count)
        do {
            let version = try reader.readUInt16("layout version")
            guard version == ArbiterHeader.layoutVersion else {
                throw ArbiterHeaderError.unsupportedVersion(found: version, supported: ArbiterHeader.layoutVersion)
            }
            let tag = try reader.readBytes(ArbiterKey.clusterTagSize, "cluster tag")
            let name = try reader.readString("cluster name")
            guard tag == ArbiterKey.clusterTag(of: name) else {
                throw ArbiterHeaderError.malformed("the cluster tag is not the tag of cluster '\(name)'")
            }
            guard name == key.clusterName else {
                throw ArbiterHeaderError.otherCluster(name: name, expected: key.clusterName)
            }
            let nodes = try reader.readArray("slot owners", maxCount: ArbiterLayout.blockSize) { (r: inout ByteReader) throws(WireError) in
                try r.readString("slot owner")
            }
            let signedEnd = reader.offset
            let code = try reader.readBytes(ArbiterKey.tagSize, "header HMAC")
            guard key.isValid(code[...], for: block[..<signedEnd]) else { throw ArbiterHeaderError.authenticationFailed }
            guard Self.isZero(block[reader.offset...]) else {
                throw ArbiterHeaderError.malformed("bytes after the HMAC are not zero")
            }
            guard nodes == layout.nodes else {
                throw ArbiterHeaderError.otherNodes(file: nodes, configured: layout.nodes)
            }
            return ArbiterHeader(layoutVersion: version, clusterName: name, clusterTag: tag, nodes: nodes)
        } catch let error as ArbiterHeaderError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
    }

    // MARK: Heartbeat

    /// The heartbeat block of `heartbeat.node`'s slot.
    public func encode(_ heartbeat: ArbiterHeartbeat) throws(ArbiterRecordError) -> [UInt8] {
        guard let slot = layout.slot(of: heartbeat.node) else { throw .unknownNode(heartbeat.node) }
        return try encode(heartbeat, blockIndex: ArbiterLayout.blockIndex(offset: slot.heartbeatOffset))
    }

    /// The heartbeat as written for block `blockIndex` (tests: a block meant for another place).
    public func encode(_ heartbeat: ArbiterHeartbeat, blockIndex: Int) throws(ArbiterRecordError) -> [UInt8] {
        var body = ByteWriter(capacity: 96)
        body.write(heartbeat.node)
        body.write(heartbeat.incarnation.rawValue)
        body.write(heartbeat.term.rawValue)
        body.write(heartbeat.leader)
        body.write(heartbeat.holding)
        body.write(heartbeat.counter)
        body.write(heartbeat.wallClock)
        return try seal(.heartbeat, blockIndex: blockIndex, body: body)
    }

    /// The heartbeat block of `node` as read from the file.
    public func decodeHeartbeat(_ block: [UInt8], of node: String) -> ArbiterRecord<ArbiterHeartbeat> {
        guard let slot = layout.slot(of: node) else { return .invalid(.unknownNode(node)) }
        return decodeHeartbeat(block, blockIndex: ArbiterLayout.blockIndex(offset: slot.heartbeatOffset), slotOwner: node)
    }

    /// A heartbeat block read from block `blockIndex`, which belongs to `slotOwner`.
    public func decodeHeartbeat(_ block: [UInt8], blockIndex: Int, slotOwner: String) -> ArbiterRecord<ArbiterHeartbeat> {
        decode(block, kind: .heartbeat, blockIndex: blockIndex, slotOwner: slotOwner) { (body: inout ByteReader) throws(WireError) -> (String, ArbiterHeartbeat) in
            let node = try body.readString("node")
            let heartbeat = ArbiterHeartbeat(
                node: node,
                incarnation: Incarnation(try body.readUInt64("incarnation")),
                term: Term(try body.readUInt64("term")),
                leader: try body.readBool("leader"),
                holding: try body.readBool("holding"),
                counter: try body.readUInt64("counter"),
                wallClock: try body.readUInt64("wall clock")
            )
            return (node, heartbeat)
        }
    }

    // MARK: Poison pill

    /// The mailbox block of `poison.target`'s slot.
    public func encode(_ poison: ArbiterPoison) throws(ArbiterRecordError) -> [UInt8] {
        guard let slot = layout.slot(of: poison.target) else { throw .unknownNode(poison.target) }
        return try encode(poison, blockIndex: ArbiterLayout.blockIndex(offset: slot.mailboxOffset))
    }

    /// The pill as written for block `blockIndex`.
    public func encode(_ poison: ArbiterPoison, blockIndex: Int) throws(ArbiterRecordError) -> [UInt8] {
        var body = ByteWriter(capacity: 96)
        body.write(poison.target)
        body.write(poison.targetIncarnation.rawValue)
        body.write(poison.from)
        body.write(poison.wallClock)
        return try seal(.poison, blockIndex: blockIndex, body: body)
    }

    /// The mailbox block of `node` as read from the file.
    public func decodePoison(_ block: [UInt8], for node: String) -> ArbiterRecord<ArbiterPoison> {
        guard let slot = layout.slot(of: node) else { return .invalid(.unknownNode(node)) }
        return decodePoison(block, blockIndex: ArbiterLayout.blockIndex(offset: slot.mailboxOffset), slotOwner: node)
    }

    /// A mailbox block read from block `blockIndex`, the mailbox of `slotOwner`.
    public func decodePoison(_ block: [UInt8], blockIndex: Int, slotOwner: String) -> ArbiterRecord<ArbiterPoison> {
        decode(block, kind: .poison, blockIndex: blockIndex, slotOwner: slotOwner) { (body: inout ByteReader) throws(WireError) -> (String, ArbiterPoison) in
            let target = try body.readString("target")
            let poison = ArbiterPoison(
                target: target,
                targetIncarnation: Incarnation(try body.readUInt64("target incarnation")),
                from: try body.readString("from"),
                wallClock: try body.readUInt64("wall clock")
            )
            return (target, poison)
        }
    }

    // MARK: Common frame

    private func seal(_ kind: ArbiterRecordKind, blockIndex: Int, body: ByteWriter) throws(ArbiterRecordError) -> [UInt8] {
        if let error = body.firstError { throw .malformed("\(error)") }
        guard let index = UInt32(exactly: blockIndex) else { throw .malformed("block index \(blockIndex) out of range") }
        guard Self.recordPrefixSize + body.count + ArbiterKey.tagSize <= ArbiterLayout.blockSize else {
            throw .malformed("a \(kind) record of \(body.count) bytes does not fit in one block")
        }
        var writer = ByteWriter(capacity: ArbiterLayout.blockSize)
        writer.write(kind.rawValue)
        writer.write(Self.recordVersion)
        writer.write(index)
        writer.write(UInt16(body.count))
        writer.write(bytes: body.bytes)
        let signed = writer.bytes
        return Self.padded(signed + key.authenticationCode(for: signed[...]))
    }

    /// Checks the frame (size, kind, version, HMAC, block index, padding), then decodes the
    /// body and checks that it names the slot's owner.
    private func decode<Value>(
        _ block: [UInt8], kind expected: ArbiterRecordKind, blockIndex: Int, slotOwner: String,
        body decodeBody: (inout ByteReader) throws(WireError) -> (String, Value)
    ) -> ArbiterRecord<Value> {
        guard block.count >= ArbiterLayout.blockSize else { return .invalid(.truncated(length: block.count)) }
        guard block.count == ArbiterLayout.blockSize else {
            return .invalid(.malformed("\(block.count) bytes, a block is \(ArbiterLayout.blockSize)"))
        }
        if Self.isZero(block[...]) { return .empty }
        guard let kind = ArbiterRecordKind(rawValue: block[0]) else { return .invalid(.unknownKind(block[0])) }
        guard block[1] == Self.recordVersion else { return .invalid(.unsupportedVersion(kind: kind, version: block[1])) }
        var reader = ByteReader(block, offset: 2)
        do {
            let writtenFor = Int(try reader.readUInt32("block index"))
            let length = Int(try reader.readUInt16("body length"))
            guard Self.recordPrefixSize + length + ArbiterKey.tagSize <= ArbiterLayout.blockSize else {
                return .invalid(.malformed("body length \(length) does not fit in one block"))
            }
            let signedEnd = Self.recordPrefixSize + length
            let code = block[signedEnd..<(signedEnd + ArbiterKey.tagSize)]
            guard key.isValid(code, for: block[..<signedEnd]) else { return .invalid(.authenticationFailed) }
            guard Self.isZero(block[(signedEnd + ArbiterKey.tagSize)...]) else {
                return .invalid(.malformed("bytes after the HMAC are not zero"))
            }
            guard writtenFor == blockIndex else { return .invalid(.wrongSlot(writtenFor: writtenFor, foundIn: blockIndex)) }
            guard kind == expected else { return .invalid(.wrongKind(expected: expected, found: kind)) }
            var body = ByteReader(Array(block[Self.recordPrefixSize..<signedEnd]))
            let (named, value) = try decodeBody(&body)
            try body.expectEnd("\(kind) body")
            guard named == slotOwner else { return .invalid(.nameMismatch(slotOwner: slotOwner, found: named)) }
            return .valid(value)
        } catch {
            return .invalid(.malformed("\(error)"))
        }
    }

    /// Whether every byte is zero, eight at a time (every read checks most of each block).
    static func isZero(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { raw in
            var index = 0
            while index + 8 <= raw.count {
                if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) != 0 { return false }
                index += 8
            }
            while index < raw.count {
                if raw[index] != 0 { return false }
                index += 1
            }
            return true
        }
    }

    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: ArbiterLayout.blockSize - bytes.count)
    }
}
