/// Keys and the four kinds of strings.
extension TOMLParser {
    /// One part of a dotted key, and the offset it starts at.
    struct KeyPart {
        var name: String
        var offset: Int
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// A key: bare, quoted or dotted (blanks around the dots), and the blanks after it.
    /// `context` completes "expected a key" (" in the table header").
    mutating func parseKey(context: String) throws(TOMLSyntaxError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            skipBlanks()
            let offset = pos
            guard let c = peek() else { throw error("expected a key\(context), found end of file", at: pos) }
            let name: String
            if Self.isBareKeyByte(c) {
                while let b = peek(), Self.isBareKeyByte(b) { pos += 1 }
                name = String(decoding: bytes[offset..<pos], as: UTF8.self)
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                guard !(peek(1) == c && peek(2) == c) else {
                    throw error("expected a key\(context), found a multi-line string (a key is on one line)", at: pos)
                }
                name = c == UInt8(ascii: "\"") ? try parseBasicString() : try parseLiteralString()
            } else {
                throw error("expected a key\(context), found \(found(at: pos))", at: pos)
            }
            parts.append(KeyPart(name: name, offset: offset))
            guard parts.count <= Self.maximumDepth else {
                throw error("a dotted key of more than \(Self.maximumDepth) parts", at: parts[0].offset)
            }
            skipBlanks()
            guard peek() == UInt8(ascii: ".") else { return parts }
            pos += 1
        }
    }

    /// `"..."` or `"""..."""` at `pos`, escapes resolved.
    mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        let quote = UInt8(ascii: "\"")
        if peek(1) == quote, peek(2) == quote { return try parseMultilineString(quote: quote) }
        pos += 1
        var text: [UInt8] = []
        while true {
            let run = pos
            while pos < bytes.count, bytes[pos] != quote, bytes[pos] != UInt8(ascii: "\\"), !Self.isControl(bytes[pos]) { pos += 1 }
            text.append(contentsOf: bytes[run..<pos])
            guard let c = peek() else { throw error("expected '\"' to end the string, found end of file", at: pos) }
            if c == quote {
                pos += 1
                return String(decoding: text, as: UTF8.self)
            } else if c == UInt8(ascii: "\\") {
                try parseEscape(into: &text)
            } else {
                throw stringControlError()
            }
        }
    }

    /// `'...'` or `'''...'''` at `pos`, taken as written.
    mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        let quote = UInt8(ascii: "'")
        if peek(1) == quote, peek(2) == quote { return try parseMultilineString(quote: quote) }
        pos += 1
        let run = pos
        while pos < bytes.count, bytes[pos] != quote, !Self.isControl(bytes[pos]) { pos += 1 }
        guard let c = peek() else { throw error("expected \"'\" to end the string, found end of file", at: pos) }
        guard c == quote else { throw stringControlError() }
        pos += 1
        return String(decoding: bytes[run..<(pos - 1)], as: UTF8.self)
    }

    /// A newline or control character in a single-line string.
    private func stringControlError() -> TOMLSyntaxError {
        let c = bytes[pos]
        if c == Self.lf || (c == Self.cr && peek(1) == Self.lf) {
            return error("expected the string to end on its line, found end of line (a string of several lines is written in triple quotes)", at: pos)
        }
        return error("control character \(Self.codePoint(c)) in a string (write it as an escape such as \\u0001 in a \"...\" string)", at: pos)
    }

    /// `"""` or `'''` strings: a newline right after the opening is dropped, CRLF is read as LF,
    /// up to two quotes may come right before the closing ones, and in a basic one a backslash
    /// at the end of a line drops the newline and the blanks that follow.
    private mutating func parseMultilineString(quote: UInt8) throws(TOMLSyntaxError) -> String {
        let basic = quote == UInt8(ascii: "\"")
        let delimiter = basic ? "\"\"\"" : "'''"
        pos += 3
        if peek() == Self.lf {
            pos += 1
        } else if peek() == Self.cr, peek(1) == Self.lf {
            pos += 2
        }
        var text: [UInt8] = []
        while true {
            let run = pos
            while pos < bytes.count, bytes[pos] != quote, !(basic && bytes[pos] == UInt8(ascii: "\\")),
                  !Self.isControl(bytes[pos]) || bytes[pos] == Self.lf { pos += 1 }
            text.append(contentsOf: bytes[run..<pos])
            guard let c = peek() else { throw error("expected \(delimiter) to end the multi-line string, found end of file", at: pos) }
            switch c {
            case quote:
                var count = 0
                while peek(count) == quote { count += 1 }
                if count < 3 {
                    text.append(contentsOf: repeatElement(quote, count: count))
                    pos += count
                } else if count <= 5 {
                    text.append(contentsOf: repeatElement(quote, count: count - 3))
                    pos += count
                    return String(decoding: text, as: UTF8.self)
                } else {
                    throw error("expected the end of the multi-line string after \(delimiter), found \(count - 3) more quotes (at most two may come before the closing \(delimiter))", at: pos)
                }
            case UInt8(ascii: "\\"):
                var next = pos + 1
                while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
                if next < bytes.count, bytes[next] == Self.lf || (bytes[next] == Self.cr && next + 1 < bytes.count && bytes[next + 1] == Self.lf) {
                    // A line-ending backslash: the newline and all blanks and newlines after it go.
                    pos = next
                    while let b = peek() {
                        if b == 0x20 || b == 0x09 || b == Self.lf {
                            pos += 1
                        } else if b == Self.cr, peek(1) == Self.lf {
                            pos += 2
                        } else {
                            break
                        }
                    }
                } else {
                    try parseEscape(into: &text)
                }
            case Self.cr where peek(1) == Self.lf:
                text.append(Self.lf)
                pos += 2
            default:
                throw error("control character \(Self.codePoint(c)) in a string (write it as an escape such as \\u0001 in a \"...\" string)", at: pos)
            }
        }
    }

    /// The escape at `pos` (a backslash), appended to `text` as UTF-8.
    private mutating func parseEscape(into text: inout [UInt8]) throws(TOMLSyntaxError) {
        let backslash = pos
        pos += 1
        guard let c = peek() else { throw error("expected an escape after '\\', found end of file", at: pos) }
        let simple: UInt8? = switch c {
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        default: nil
        }
        if let simple {
            text.append(simple)
            pos += 1
            return
        }
        guard c == UInt8(ascii: "u") || c == UInt8(ascii: "U") else {
            let shown = c == Self.lf || c == Self.cr ? "\\ at the end of a line (only in a \"\"\" string)" : "\\\(character(at: pos))"
            throw error("invalid escape \(shown) in a string (escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)", at: backslash)
        }
        let digits = c == UInt8(ascii: "u") ? 4 : 8
        pos += 1
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let d = peek(), let nibble = Self.hexValue(d) else {
                throw error("expected \(digits) hexadecimal digits after \\\(Character(Unicode.Scalar(c))), found \(found(at: pos))", at: pos)
            }
            value = value << 4 | UInt32(nibble)
            pos += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            let written = String(decoding: bytes[backslash..<pos], as: UTF8.self)
            throw error("\(written) is not a Unicode scalar value (no surrogates, at most 10FFFF)", at: backslash)
        }
        UTF8.encode(scalar) { text.append($0) }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
