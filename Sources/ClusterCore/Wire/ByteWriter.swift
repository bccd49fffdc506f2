/// Appends big-endian integers and length-prefixed fields to a byte array.
///
/// Writing never traps: a field beyond a format limit (a string over 255
/// bytes, a collection over 65535 elements) is written empty and recorded in
/// `firstError`, which encoders check before using the bytes. Size limits of a
/// whole datagram are checked by `WireSession.seal`.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// The first field that could not be represented, if any.
    public private(set) var firstError: WireError?

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func write(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    public mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    public mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Two's complement, as `UInt64`.
    public mutating func write(_ value: Int64) {
        write(UInt64(bitPattern: value))
    }

    public mutating func write(bytes raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// A UTF-8 string with a one-byte length prefix (at most `WireFormat.maxStringLength` bytes).
    public mutating func write(_ string: String) {
        let utf8 = Array(string.utf8)
        guard utf8.count <= WireFormat.maxStringLength else {
            record(.malformed(field: "string", reason: "\(utf8.count) bytes, at most \(WireFormat.maxStringLength) fit"))
            write(UInt8(0))
            return
        }
        write(UInt8(utf8.count))
        write(bytes: utf8)
    }

    /// Throws the first recorded error, if any.
    public func checked() throws(WireError) -> [UInt8] {
        if let firstError { throw firstError }
        return bytes
    }

    private mutating func record(_ error: WireError) {
        if firstError == nil { firstError = error }
    }

    /// An optional value: a presence byte (0 or 1) then the value.
    public mutating func writeOptional<T>(_ value: T?, _ writeValue: (inout ByteWriter, T) -> Void) {
        if let value {
            write(UInt8(1))
            writeValue(&self, value)
        } else {
            write(UInt8(0))
        }
    }

    /// A collection with a two-byte count prefix.
    public mutating func writeArray<C: Collection>(_ values: C, _ writeElement: (inout ByteWriter, C.Element) -> Void) {
        guard values.count <= Int(UInt16.max) else {
            record(.malformed(field: "array", reason: "\(values.count) elements, at most \(UInt16.max) fit"))
            write(UInt16(0))
            return
        }
        write(UInt16(values.count))
        for value in values {
            writeElement(&self, value)
        }
    }
}
