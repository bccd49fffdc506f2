/// Durations as the configuration and `hactl` write them: `"200ms"`, `"1s"`, `"10min"`, `"600S"`, `"2h"`.
///
/// Grammar: optional blanks, a decimal number (`10`, `1.5`), optional blanks, an optional unit
/// (case-insensitive), optional blanks. Without a unit the number is seconds (`"5"` is 5 s).
/// Units: `us`, `ms`/`msec`, `s`/`sec`, `min`, `h`/`hr`. `m` is refused on purpose: Pacemaker reads
/// it as minutes, systemd as minutes, Go as minutes, but `ms` is one typo away, so the file must say.
/// Fractions are kept to the nanosecond and truncated below it.
extension Duration {
    /// Parses a configuration duration string.
    public init(configValue text: String) throws(DurationParseError) {
        self = .nanoseconds(try Duration.parseNanoseconds(text))
    }

    /// A whole number of seconds, as a bare TOML integer in the configuration means.
    public init(configSeconds seconds: Int64) throws(DurationParseError) {
        guard seconds >= 0 else { throw .negative }
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { throw .overflow }
        self = .nanoseconds(nanos)
    }

    /// The shortest exact spelling in the largest unit that divides the value:
    /// `"2h"`, `"10min"`, `"1s"`, `"200ms"`, `"1500us"`, `"7ns"`; zero is `"0s"`.
    /// `Duration(configValue: d.configString) == d` for every non-negative `d` at nanosecond resolution
    /// (values finer than `us` print as `ns`, which the parser does not accept: the configuration never needs them).
    public var configString: String {
        let nanos = totalNanoseconds
        if nanos == 0 { return "0s" }
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        for (unit, size) in Duration.formatUnits where magnitude % size == 0 {
            return "\(sign)\(magnitude / size)\(unit)"
        }
        return "\(sign)\(magnitude)ns"
    }

    /// The value in whole nanoseconds, saturating at the bounds of `Int64`.
    var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = fromSeconds.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    private static let formatUnits: [(String, UInt64)] = [
        ("h", 3_600_000_000_000), ("min", 60_000_000_000), ("s", 1_000_000_000),
        ("ms", 1_000_000), ("us", 1_000),
    ]

    private static let parseUnits: [String: Int64] = [
        "us": 1_000,
        "ms": 1_000_000, "msec": 1_000_000,
        "s": 1_000_000_000, "sec": 1_000_000_000,
        "min": 60_000_000_000,
        "h": 3_600_000_000_000, "hr": 3_600_000_000_000,
    ]

    private static func parseNanoseconds(_ text: String) throws(DurationParseError) -> Int64 {
        let chars = Array(text.unicodeScalars)
        var i = 0
        func skipBlanks() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

        skipBlanks()
        guard i < chars.count else { throw .empty }
        if chars[i] == "-" { throw .negative }
        if chars[i] == "+" { i += 1 }

        var integerDigits: [UInt8] = []
        var fractionDigits: [UInt8] = []
        while i < chars.count, isDigit(chars[i]) {
            integerDigits.append(UInt8(chars[i].value - 48)); i += 1
        }
        if i < chars.count, chars[i] == "." {
            i += 1
            while i < chars.count, isDigit(chars[i]) {
                fractionDigits.append(UInt8(chars[i].value - 48)); i += 1
            }
        }
        guard !integerDigits.isEmpty || !fractionDigits.isEmpty else { throw .notANumber }

        skipBlanks()
        let unitStart = i
        while i < chars.count, chars[i] != " " && chars[i] != "\t" { i += 1 }
        let unit = String(String.UnicodeScalarView(chars[unitStart..<i])).lowercased()
        skipBlanks()
        guard i == chars.count else {
            // "10 min utes", "1s 2ms": more than one unit word.
            if unit.isEmpty { throw DurationParseError.notANumber }
            throw DurationParseError.unknownUnit(String(String.UnicodeScalarView(chars[unitStart...])))
        }

        let unitNanos: Int64
        if unit.isEmpty {
            unitNanos = 1_000_000_000
        } else if unit == "m" {
            throw .ambiguousMinutes
        } else if let known = parseUnits[unit] {
            unitNanos = known
        } else if let first = unit.unicodeScalars.first, isDigit(first) || first == "." {
            throw .notANumber
        } else {
            throw .unknownUnit(String(String.UnicodeScalarView(chars[unitStart..<i])).trimmingBlanks)
        }

        var whole: Int64 = 0
        for digit in integerDigits {
            let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { throw .overflow }
            whole = next
        }
        let (wholeNanos, o3) = whole.multipliedReportingOverflow(by: unitNanos)
        guard !o3 else { throw .overflow }

        // The fraction, exactly: digits / 10^n * unit, truncated to whole nanoseconds.
        // unitNanos <= 3.6e12 and we keep at most 12 digits, so numerator < 3.6e24 would overflow Int64:
        // accumulate digit by digit instead.
        var fractionNanos: Int64 = 0
        var scale = unitNanos
        for digit in fractionDigits {
            if scale < 10 { break }
            scale /= 10
            fractionNanos += Int64(digit) * scale
        }
        let (total, o4) = wholeNanos.addingReportingOverflow(fractionNanos)
        guard !o4 else { throw .overflow }
        return total
    }
}

extension String {
    fileprivate var trimmingBlanks: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
