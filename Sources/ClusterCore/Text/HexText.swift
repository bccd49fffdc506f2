/// Lower-case hexadecimal with at least two digits (`%02x`, `%02llx`), for digests and
/// device numbers.
public enum HexText {
    public static func twoDigits(_ value: some BinaryInteger) -> String {
        (value < 0x10 ? "0" : "") + String(value, radix: 16)
    }

    /// Each byte as two digits: a digest's usual text.
    public static func bytes(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { twoDigits($0) }.joined()
    }
}
