import ClusterCore
import Foundation

/// Random TOML documents from a seed (the same seed gives the same documents): tables, arrays of
/// tables, dotted and quoted keys, every kind of value with its edge cases, and, for some
/// documents, one small edit (a character inserted, deleted or a line repeated) that usually
/// makes them invalid in an interesting place. Names come from a small set, so that documents
/// often define a key or table twice.
struct TOMLDocumentGenerator {
    /// The core's seeded SplitMix64: the same documents on every platform.
    private var random: ElectionRandom

    init(seed: UInt64) { random = ElectionRandom(seed: seed) }

    private mutating func next() -> UInt64 { random.next() }

    private mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    private mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    private mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    mutating func document() -> String {
        var lines: [String] = []
        for _ in 0..<below(4) { lines.append(keyValue(depth: 0)) }
        for _ in 0..<below(6) {
            let name = (0...below(2)).map { _ in key() }.joined(separator: pick([".", " . ", "."]))
            lines.append(chance(35) ? "[[\(name)]]" : pick(["[\(name)]", "[ \(name) ]", "[\(name)] # header"]))
            for _ in 0..<below(4) { lines.append(keyValue(depth: 0)) }
            if chance(20) { lines.append(pick(["", "# comment", "  \t# indented comment é"])) }
        }
        var text = lines.joined(separator: chance(15) ? "\r\n" : "\n") + (chance(80) ? "\n" : "")
        if chance(30) { text = mutate(text) }
        return text
    }

    private mutating func key() -> String {
        pick(["a", "b", "c", "d", "a", "b", "x-y", "_1", "1", "\"a\"", "'b'", "\"q.x\"", "\"é\"", "\"\"", "\"\\u0061\"", "'c d'", "true", "inf"])
    }

    private mutating func keyValue(depth: Int) -> String {
        let parts = (0...(chance(25) ? below(3) : 0)).map { _ in key() }
        return parts.joined(separator: pick([".", " . "])) + pick([" = ", "=", "\t=  "]) + value(depth: depth)
    }

    private mutating func value(depth: Int) -> String {
        switch below(depth > 2 ? 6 : 8) {
        case 0: return integer()
        case 1: return float()
        case 2: return string()
        case 3: return pick(["true", "false"])
        case 4: return dateTime()
        case 5: return string()
        case 6:
            let count = below(5)
            let separator = pick([", ", ",", ",\n  ", " , # c\n"])
            let elements = (0..<count).map { _ in value(depth: depth + 1) }
            return "[" + pick(["", " ", "\n"]) + elements.joined(separator: separator) + (count > 0 && chance(30) ? "," : "") + pick(["", " ", "\n"]) + "]"
        default:
            let count = below(4)
            let pairs = (0..<count).map { _ in keyValue(depth: depth + 1).replacingNewlines() }
            return count == 0 ? pick(["{}", "{ }"]) : "{ " + pairs.joined(separator: ", ") + " }"
        }
    }

    private mutating func integer() -> String {
        switch below(4) {
        case 0:
            return pick(["0", "+0", "-0", "1", "-1", "+42", "1_000", "5_349_221", "0xDEAD_beef", "0x0", "0o755", "0o0", "0b1101_0110",
                         "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0x7FFFFFFFFFFFFFFF",
                         "0x8000000000000000", "0b" + String(repeating: "1", count: 64), "007", "1__2", "_1", "1_", "+0x1", "0X1"])
        case 1:
            let n = Int64(bitPattern: next()) >> below(63)
            return String(n)
        case 2:
            let n = next() >> UInt64(below(64) + 1)
            return pick(["0x" + String(n, radix: 16, uppercase: chance(50)), "0o" + String(n, radix: 8), "0b" + String(n, radix: 2)])
        default:
            let digits = String(next() % 1_000_000_000)
            return digits.count > 3 && chance(50) ? String(digits.prefix(1)) + "_" + String(digits.dropFirst()) : digits
        }
    }

    private mutating func float() -> String {
        if chance(50) {
            return pick(["1.0", "+1.5", "-0.0", "+0.0", "0.1", "3.1415", "5e+22", "1e06", "-2E-2", "6.626e-34", "224_617.445_991_228",
                         "inf", "+inf", "-inf", "nan", "+nan", "-nan", "1e400", "-1e-400", "1.7976931348623157e308", "4.9e-324",
                         "1.", ".5", "1.e5", "1e", "01.5", "1_.5", "1e_5", "0.0_1", "1e1_0"])
        }
        let mantissa = "\(below(100_000))" + (chance(70) ? ".\(below(1_000_000))" : "")
        return mantissa + (chance(50) ? pick(["e", "E"]) + pick(["", "+", "-"]) + "\(below(330))" : (mantissa.contains(".") ? "" : ".0"))
    }

    private mutating func string() -> String {
        let pieces = ["plain", " ", "é", "💡", "\\n", "\\t", "\\\"", "\\\\", "\\u00E9", "\\U0001F600", "\\b", "\\f", "\\r", "'", "\"", "#", "=", "[",
                      "\t", "\\uD800", "\\q", "\\U00110000"]
        let body = (0..<below(5)).map { _ in pick(pieces) }.joined()
        switch below(4) {
        case 0:
            return "\"" + body.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case 1:
            return "'" + body.replacingOccurrences(of: "'", with: "") + "'"
        case 2:
            let lines = pick(["", "\n", "\\\n   ", "line\nline", "a\\   \n\n  b", "\"\"", "x\"\"", "\r\n"])
            return "\"\"\"" + pick(["", "\n"]) + body + lines + pick(["", "\"", "\"\""]) + "\"\"\""
        default:
            let lines = pick(["", "\n", "a\nb", "''", "x''", "\\n"])
            return "'''" + pick(["", "\n"]) + body.replacingOccurrences(of: "'", with: "") + lines + pick(["", "'", "''"]) + "'''"
        }
    }

    private mutating func dateTime() -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = pick(["1979", "2000", "1900", "2024", "2023", "0001"]) + "-" + two(1 + below(12)) + "-" + two(1 + below(chance(90) ? 28 : 31))
        let time = two(below(chance(95) ? 24 : 25)) + ":" + two(below(60)) + ":" + two(below(60))
            + (chance(30) ? "." + pick(["5", "999999", "123456789", "0", "000001"]) : "")
        let offset = pick(["Z", "z", "+05:30", "-07:00", "+00:00", "", "+24:00"])
        switch below(4) {
        case 0: return date
        case 1: return time
        case 2: return date + pick(["T", "t", " "]) + time
        default: return date + pick(["T", "t", " "]) + time + offset
        }
    }

    /// One small edit anywhere: insert a character, delete one, or repeat a line.
    private mutating func mutate(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        switch below(3) {
        case 0:
            let inserted: [Unicode.Scalar] = [" ", "=", ".", "[", "]", "{", "}", "\"", "'", "#", "\\", ",", "\n", "_", "0", "e", ":", "-", "+", "T", "\t", "\r", "\u{7F}", "\u{1}", "x"]
            scalars.insert(pick(inserted), at: below(scalars.count + 1))
        case 1:
            if !scalars.isEmpty { scalars.remove(at: below(scalars.count)) }
        default:
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if !lines.isEmpty { lines.insert(lines[below(lines.count)], at: below(lines.count + 1)) }
            return lines.joined(separator: "\n")
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }
}

extension String {
    /// Inline tables are on one line: newlines in a generated value become spaces.
    fileprivate func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }
}
