/// Reads what `ByteWriter` wrote, with bounds checks on every read.
///
/// Every failure is a `WireError.malformed` naming the field being read, so a
/// decoder built on it never traps on any input.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    private mutating func take(_ count: Int, field: String) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else {
            throw .malformed(field: field, reason: "needs \(count) bytes, \(max(remaining, 0)) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    public mutating func readUInt8(_ field: String) throws(WireError) -> UInt8 {
        try take(1, field: field).first!
    }

    public mutating func readBool(_ field: String) throws(WireError) -> Bool {
        switch try readUInt8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .malformed(field: field, reason: "boolean byte \(other), expected 0 or 1")
        }
    }

    public mutating func readUInt16(_ field: String) throws(WireError) -> UInt16 {
        try take(2, field: field).reduce(0) { $0 << 8 | UInt16($1) }
    }

    public mutating func readUInt32(_ field: String) throws(WireError) -> UInt32 {
        try take(4, field: field).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public mutating func readUInt64(_ field: String) throws(WireError) -> UInt64 {
        try take(8, field: field).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public mutating func readInt64(_ field: String) throws(WireError) -> Int64 {
        Int64(bitPattern: try readUInt64(field))
    }

    public mutating func readBytes(_ count: Int, _ field: String) throws(WireError) -> [UInt8] {
        Array(try take(count, field: field))
    }

    /// A string written by `ByteWriter.write(_: String)`: length byte, then valid UTF-8.
    public mutating func readString(_ field: String) throws(WireError) -> String {
        let length = Int(try readUInt8(field))
        let raw = try take(length, field: field)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw .malformed(field: field, reason: "not valid UTF-8")
        }
        return string
    }

    public mutating func readOptional<T>(_ field: String, _ readValue: (inout ByteReader) throws(WireError) -> T) throws(WireError) -> T? {
        switch try readUInt8(field) {
        case 0: return nil
        case 1: return try readValue(&self)
        case let other: throw .malformed(field: field, reason: "presence byte \(other), expected 0 or 1")
        }
    }

    /// A collection written by `ByteWriter.writeArray`. `maxCount` bounds the
    /// count before anything is allocated.
    public mutating func readArray<T>(_ field: String, maxCount: Int, _ readElement: (inout ByteReader) throws(WireError) -> T) throws(WireError) -> [T] {
        let count = Int(try readUInt16(field))
        guard count <= maxCount else {
            throw .malformed(field: field, reason: "\(count) elements, at most \(maxCount) allowed")
        }
        guard count <= remaining else {
            throw .malformed(field: field, reason: "\(count) elements cannot fit in \(remaining) bytes")
        }
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            values.append(try readElement(&self))
        }
        return values
    }

    /// Throws unless every byte was consumed (trailing garbage is malformed).
    public func expectEnd(_ field: String) throws(WireError) {
        guard isAtEnd else {
            throw .malformed(field: field, reason: "\(remaining) unexpected trailing bytes")
        }
    }
}
