/// A request one node's daemon asks of a peer's daemon outside the election, and its answer
/// (payload kind `relay`): today `hactl check-storage`'s probe of the shared storage as the
/// peer sees it. The body is the JSON of the request or answer (`StoragePeerProbe`,
/// `StoragePeerReport`), or an error text.
///
/// Encoding (the plaintext of a datagram of kind 3):
/// ```
/// relay  = id:u64 kind:u8 (1 request, 2 answer, 3 error) length:u16 body[length]
/// ```
/// Bytes after the body are reserved for later formats and ignored. A node of a release
/// without relays drops the datagram (unknown kind); the requester times out and says so.
public struct RelayMessage: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case request = 1
        case answer = 2
        case error = 3
    }

    public var id: UInt64
    public var kind: Kind
    public var body: [UInt8]

    public init(id: UInt64, kind: Kind, body: [UInt8]) {
        self.id = id
        self.kind = kind
        self.body = body
    }

    /// Room for the body in one datagram (header, names, tag and this message's own fields).
    public static let maxBody = 1100

    public func encode() throws(WireError) -> [UInt8] {
        guard body.count <= Self.maxBody else {
            throw .malformed(field: "relay body", reason: "\(body.count) bytes, at most \(Self.maxBody)")
        }
        var w = ByteWriter(capacity: 16 + body.count)
        w.write(id)
        w.write(kind.rawValue)
        w.write(UInt16(body.count))
        w.write(bytes: body)
        return try w.checked()
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> RelayMessage {
        var r = ByteReader(bytes)
        let id = try r.readUInt64("relay id")
        let kindByte = try r.readUInt8("relay kind")
        guard let kind = Kind(rawValue: kindByte) else {
            throw .malformed(field: "relay kind", reason: "unknown relay kind \(kindByte)")
        }
        let length = Int(try r.readUInt16("relay length"))
        guard length <= maxBody else { throw .malformed(field: "relay length", reason: "\(length) bytes, at most \(maxBody)") }
        let body = try r.readBytes(length, "relay body")
        return RelayMessage(id: id, kind: kind, body: body)
    }
}
