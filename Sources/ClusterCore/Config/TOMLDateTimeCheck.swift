import TOMLKit

/// Finds the value TOMLKit's parser (toml++ 3) cannot survive: a local date, `T` or `t`, then a
/// character that is no digit, in a value that also holds a `:` (`1979-05-27T:07:32`,
/// `1979-05-27Tx:00`). toml++ takes such a value for a date-time, reads the date, and then
/// asserts that the hour starts with a digit: the process aborts (built with NDEBUG it would
/// assume it instead) and the file never gets its error message. The value is never valid
/// TOML, so the loader reports it as a syntax error before the parser sees the text (found by
/// fuzzing, fuzz/ fuzz-config).
///
/// The same characters in a string, a comment or a key are harmless. To tell them apart, the
/// text is parsed once with the `T` of every candidate replaced by `Z` (a letter for a letter:
/// strings, comments and keys read the same, while a value of that shape is no longer taken for
/// a date-time and is refused instead of asserted on). A candidate counts when that parse fails
/// within its value; otherwise the original text is left to the parser, which then never reads
/// a candidate as a value (before a candidate, both texts are the same).
enum TOMLDateTimeCheck {
    static func firstUnparsableDateTime(in text: String) -> TOMLHeaderCheck.Finding? {
        let bytes = Array(text.utf8)
        let candidates = candidates(in: bytes)
        guard !candidates.isEmpty else { return nil }
        var patched = bytes
        for t in candidates { patched[t] = UInt8(ascii: "Z") }
        let failure: TOMLParseError
        do {
            _ = try TOMLTable(string: String(decoding: patched, as: UTF8.self))
            return nil
        } catch let error as TOMLParseError {
            failure = error
        } catch {
            return nil
        }
        let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        for t in candidates {
            let (line, lineStart) = position(of: t, in: bytes)
            guard line == failure.source.begin.line else { continue }
            // toml++ counts columns in code points from 1, after a byte order mark.
            func column(_ offset: Int) -> Int {
                String(decoding: bytes[lineStart..<offset], as: UTF8.self).unicodeScalars.count + 1 - (bom && line == 1 ? 1 : 0)
            }
            let valueEnd = bytes[t...].firstIndex { terminators.contains($0) } ?? bytes.count
            guard (column(t - 10)...column(valueEnd) + 1).contains(failure.source.begin.column) else { continue }
            let after = String(decoding: bytes[(t + 1)...], as: UTF8.self).unicodeScalars.first
            let seen = after.map { $0.escaped(asASCII: true) } ?? ""
            return TOMLHeaderCheck.Finding(
                line: line, column: column(t + 1),
                message: "expected the hour of a date-time after '\(UnicodeScalar(bytes[t]))', saw '\(seen)'")
        }
        return nil
    }

    /// Where a value ends: whitespace, a comma, a closing bracket or brace, a comment.
    private static let terminators: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "#")]

    /// Offsets of each `T`/`t` that follows `DDDD-DD-DD` at the start of a value (after `=`, `[`,
    /// `,`, `{`, whitespace or the start of the text) and precedes a byte that is no digit.
    private static func candidates(in bytes: [UInt8]) -> [Int] {
        func digit(_ i: Int) -> Bool { bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        let starts: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "="), UInt8(ascii: "["), UInt8(ascii: ","), UInt8(ascii: "{")]
        var found: [Int] = []
        var t = 10
        while t + 1 < bytes.count {
            defer { t += 1 }
            guard bytes[t] == UInt8(ascii: "T") || bytes[t] == UInt8(ascii: "t"), !digit(t + 1) else { continue }
            let d = t - 10
            guard (d..<d + 4).allSatisfy(digit), bytes[d + 4] == UInt8(ascii: "-"), digit(d + 5), digit(d + 6),
                  bytes[d + 7] == UInt8(ascii: "-"), digit(d + 8), digit(d + 9) else { continue }
            guard d == 0 || starts.contains(bytes[d - 1]) else { continue }
            found.append(t)
        }
        return found
    }

    /// The 1-based line of `offset` and the offset its line starts at.
    private static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, start: Int) {
        var line = 1
        var start = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            start = i + 1
        }
        return (line, start)
    }
}
