/// A textual IPv4 or IPv6 address, parsed as `inet_pton` does, compared by its bytes
/// (so `2001:db8::1` and `2001:DB8:0::1` are the same address).
public struct IPAddressLiteral: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6

        /// Largest prefix length for this family.
        public var bitCount: Int { self == .ipv4 ? 32 : 128 }
    }

    public let family: Family
    /// Network byte order, 4 or 16 bytes.
    public let bytes: [UInt8]

    /// nil unless `text` is a plain IPv4 dotted quad or IPv6 literal (no prefix, no zone, no
    /// brackets). Accepts exactly what glibc's `inet_pton` accepts (a test compares the two).
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        if let v4 = Self.parseIPv4(utf8[...]) {
            family = .ipv4
            bytes = v4
        } else if let v6 = Self.parseIPv6(utf8) {
            family = .ipv6
            bytes = v6
        } else {
            return nil
        }
    }

    /// From 4 (IPv4) or 16 (IPv6) bytes in network order; nil for any other count.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: family = .ipv4
        case 16: family = .ipv6
        default: return nil
        }
        self.bytes = bytes
    }

    /// The canonical text, as `inet_ntop` writes it: lowercase, the longest run of two or more
    /// zero groups as `::`, IPv4-compatible and IPv4-mapped addresses with a dotted quad.
    public var description: String {
        if family == .ipv4 { return bytes.map(String.init).joined(separator: ".") }
        let words = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        // The longest run of zero words (the first one on a tie), if at least two long.
        var best: (base: Int, length: Int)?
        var index = 0
        while index < 8 {
            guard words[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8 && words[end] == 0 { end += 1 }
            if end - index > (best?.length ?? 0) { best = (index, end - index) }
            index = end
        }
        if let run = best, run.length < 2 { best = nil }
        var text = ""
        index = 0
        while index < 8 {
            if let run = best, index == run.base {
                text += "::"
                index += run.length
                continue
            }
            if index == 6, let run = best, run.base == 0,
               run.length == 6 || (run.length == 7 && words[7] != 1) || (run.length == 5 && words[5] == 0xFFFF) {
                if !text.hasSuffix(":") { text += ":" }
                text += bytes[12...].map(String.init).joined(separator: ".")
                break
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(words[index], radix: 16)
            index += 1
        }
        return text
    }

    /// Four decimal parts of 0...255 without leading zeros.
    private static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        var value = 0
        var digits = 0
        for character in text {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digits > 0 && value == 0 { return nil }
                value = value * 10 + Int(character - UInt8(ascii: "0"))
                digits += 1
                guard value <= 255 else { return nil }
            case UInt8(ascii: "."):
                guard digits > 0, result.count < 3 else { return nil }
                result.append(UInt8(value))
                value = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0, result.count == 3 else { return nil }
        result.append(UInt8(value))
        return result
    }

    /// Groups of one to four hex digits, at most one `::` standing for at least one zero group,
    /// optionally ending in a dotted quad.
    private static func parseIPv6(_ text: [UInt8]) -> [UInt8]? {
        var words: [UInt16] = []
        var gap: Int?
        var index = 0
        if text.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            gap = 0
            index = 2
            if index == text.count { return [UInt8](repeating: 0, count: 16) }
        } else if text.first == UInt8(ascii: ":") {
            return nil
        }
        var tail: [UInt8] = []
        while index < text.count {
            var end = index
            while end < text.count && text[end] != UInt8(ascii: ":") { end += 1 }
            let group = text[index..<end]
            if group.contains(UInt8(ascii: ".")) {
                // A dotted quad, last and in room for two groups.
                guard end == text.count, words.count <= 6, let quad = parseIPv4(group) else { return nil }
                tail = quad
                index = end
                break
            }
            guard (1...4).contains(group.count), words.count < 8 else { return nil }
            var value: UInt16 = 0
            for character in group {
                guard let digit = hexValue(character) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            words.append(value)
            if end == text.count { index = end; break }
            // At a colon: a second one right after it marks the gap.
            if end + 1 < text.count && text[end + 1] == UInt8(ascii: ":") {
                guard gap == nil else { return nil }
                gap = words.count
                index = end + 2
                if index == text.count { break }
            } else {
                index = end + 1
                guard index < text.count else { return nil }
            }
        }
        var bytes = words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } + tail
        if let gap {
            guard bytes.count < 16 else { return nil }
            bytes.insert(contentsOf: [UInt8](repeating: 0, count: 16 - bytes.count), at: gap * 2)
        }
        return bytes.count == 16 ? bytes : nil
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `0.0.0.0` or `::`.
    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// 127.0.0.0/8 or `::1`.
    public var isLoopback: Bool {
        switch family {
        case .ipv4: bytes[0] == 127
        case .ipv6: bytes.dropLast().allSatisfy { $0 == 0 } && bytes[15] == 1
        }
    }

    /// 224.0.0.0/4, 255.255.255.255 or ff00::/8.
    public var isMulticastOrBroadcast: Bool {
        switch family {
        case .ipv4: (bytes[0] & 0xF0) == 224 || bytes == [255, 255, 255, 255]
        case .ipv6: bytes[0] == 0xFF
        }
    }
}
