import TOMLKit

/// Finds the table header TOMLKit's parser (toml++ 3) cannot survive: a line `[` or `[[`, then
/// spaces or tabs, then a character that can start no key (not a letter, digit, `_`, `-`, a quote
/// or `]`), e.g. `[!` or `[[ #`. toml++ does not refuse it: it asserts (the process aborts, the
/// file never gets its error message) and, built with NDEBUG, assumes it cannot happen. Such a
/// header is never valid TOML, so the loader reports it as a syntax error before the parser
/// sees the text (found by fuzzing, fuzz/ fuzz-config).
///
/// A line of that shape inside a multi-line string or array is not a header: a candidate only
/// counts when the text before its line parses as a whole document (toml++ stops at its first
/// error, so when that text does not parse, the parser never reaches the candidate either).
/// That text is first looked at by `TOMLDateTimeCheck`, since it may hold a value toml++ aborts
/// on as well; the loader then reports that value.
enum TOMLHeaderCheck {
    struct Finding: Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    static func firstUnparsableHeader(in text: String) -> Finding? {
        let bytes = Array(text.utf8)
        var lineStart = 0
        var line = 1
        // toml++ skips a byte order mark at the start.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { lineStart = 3 }
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            if let offset = badKeyStart(bytes, from: lineStart, to: lineEnd) {
                let prefix = String(decoding: bytes[0..<lineStart], as: UTF8.self)
                // The text before may hold a value TOMLKit aborts on too: then the parser stops there.
                if TOMLDateTimeCheck.firstUnparsableDateTime(in: prefix) == nil, (try? TOMLTable(string: prefix)) != nil {
                    let before = String(decoding: bytes[lineStart..<offset], as: UTF8.self)
                    let rest = String(decoding: bytes[offset..<lineEnd], as: UTF8.self)
                    let seen = rest.unicodeScalars.first.map { $0.escaped(asASCII: true) } ?? ""
                    return Finding(
                        line: line, column: before.unicodeScalars.count + 1,
                        message: "expected a key in the table header, saw '\(seen)'")
                }
            }
            lineStart = lineEnd + 1
            line += 1
        }
        return nil
    }

    /// The offset of the character after `[` / `[[` and blanks when it can start no key.
    private static func badKeyStart(_ bytes: [UInt8], from start: Int, to end: Int) -> Int? {
        var i = start
        func skipBlanks() -> Bool {
            let from = i
            while i < end, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            return i > from
        }
        _ = skipBlanks()
        guard i < end, bytes[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        let blank = skipBlanks()
        if i < end, bytes[i] == UInt8(ascii: "[") {
            guard !blank else { return nil }   // "[ [": toml++ refuses it itself
            i += 1
            _ = skipBlanks()
        }
        // At the end of the text toml++ reports the missing key itself; at the end of a line
        // it would read the newline as the key's first character.
        guard i < bytes.count else { return nil }
        return startsKey(bytes[i]) ? nil : i
    }

    private static func startsKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
             UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "]"):
            true
        default:
            false
        }
    }
}
