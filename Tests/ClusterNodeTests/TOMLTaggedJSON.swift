@testable import ClusterCore

/// A parsed TOML document in the tagged JSON form of the toml-test suite
/// (`{"type":"integer","value":"1"}`, arrays as JSON arrays, tables as objects), written exactly
/// as Python's `json.dumps(..., sort_keys=True, separators=(",", ":"))` writes it, so that the
/// text can be compared with what `tomllib` gives.
///
/// Two departures make values that compare equal print equal: a float is its IEEE 754 bits in hex
/// (`nan` for any NaN), and a date-time keeps six digits of fraction (Python's microseconds) with
/// `+00:00` for `Z`.
enum TOMLTaggedJSON {
    /// A value Python's `datetime` cannot hold (year 0, a leap second): tomllib refuses those.
    struct NotInPython: Error {}

    static func encode(_ table: TOMLTable) throws(NotInPython) -> String {
        var out = ""
        try write(.table(table), to: &out)
        return out
    }

    private static func write(_ value: TOMLValue, to out: inout String) throws(NotInPython) {
        switch value {
        case .string(let text): tagged("string", text, to: &out)
        case .integer(let number): tagged("integer", String(number), to: &out)
        case .float(let number):
            let bits = String(number.bitPattern, radix: 16)
            tagged("float", number.isNaN ? "nan" : String(repeating: "0", count: 16 - bits.count) + bits, to: &out)
        case .boolean(let flag): tagged("bool", flag ? "true" : "false", to: &out)
        case .dateTime(let value): try dateTime(value, to: &out)
        case .array(let array):
            out += "["
            for (index, element) in array.elements.enumerated() {
                if index > 0 { out += "," }
                try write(element, to: &out)
            }
            out += "]"
        case .table(let table):
            out += "{"
            // Python sorts keys by code point.
            let keys = table.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                string(key, to: &out)
                out += ":"
                try write(table[key]!, to: &out)
            }
            out += "}"
        }
    }

    private static func tagged(_ type: String, _ value: String, to out: inout String) {
        out += "{\"type\":"
        string(type, to: &out)
        out += ",\"value\":"
        string(value, to: &out)
        out += "}"
    }

    private static func dateTime(_ value: TOMLDateTime, to out: inout String) throws(NotInPython) {
        guard !(value.hasDate && value.year == 0), value.second < 60 else { throw NotInPython() }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = ""
        if value.hasDate {
            let year = String(value.year)
            text += String(repeating: "0", count: 4 - year.count) + year + "-" + two(value.month) + "-" + two(value.day)
        }
        if value.hasTime {
            if value.hasDate { text += "T" }
            text += two(value.hour) + ":" + two(value.minute) + ":" + two(value.second)
            let micros = String((value.fraction + "000000").prefix(6))
            if micros != "000000" { text += "." + micros }
        }
        if value.kind == .offsetDateTime {
            let magnitude = abs(value.offsetMinutes)
            text += (value.offsetMinutes < 0 ? "-" : "+") + two(magnitude / 60) + ":" + two(magnitude % 60)
        }
        let type = switch value.kind {
        case .offsetDateTime: "datetime"
        case .localDateTime: "datetime-local"
        case .localDate: "date-local"
        case .localTime: "time-local"
        }
        tagged(type, text, to: &out)
    }

    /// A JSON string as Python writes it with `ensure_ascii`: `\"`, `\\`, the short escapes, and
    /// `\u` (lower-case hex, surrogate pairs) for everything outside printable ASCII.
    private static func string(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            case " "..."~": out.unicodeScalars.append(scalar)
            default:
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += hex4(0xD800 | (v >> 10)) + hex4(0xDC00 | (v & 0x3FF))
                } else {
                    out += hex4(scalar.value)
                }
            }
        }
        out += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
