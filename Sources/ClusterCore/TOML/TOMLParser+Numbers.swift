/// Integers, floats and date-times: everything that starts with a digit or a sign.
extension TOMLParser {
    private static func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    mutating func parseNumberOrDateTime() throws(TOMLSyntaxError) -> TOMLValue {
        if (0..<4).allSatisfy({ Self.isDigit(peek($0)) }), peek(4) == UInt8(ascii: "-") {
            return .dateTime(try parseDateTime())
        }
        if Self.isDigit(peek()), Self.isDigit(peek(1)), peek(2) == UInt8(ascii: ":") {
            var time = TOMLDateTime(kind: .localTime)
            try parseTime(into: &time)
            return .dateTime(time)
        }
        return try parseNumber()
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(TOMLSyntaxError) -> TOMLValue {
        let start = pos
        var negative = false
        if let c = peek(), c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            negative = c == UInt8(ascii: "-")
            pos += 1
            if skip("inf") { return .float(negative ? -.infinity : .infinity) }
            if skip("nan") { return .float(negative ? -.nan : .nan) }
        }
        guard Self.isDigit(peek()) else {
            throw error("expected a number after '\(character(at: start))', found \(found(at: pos))", at: pos)
        }
        if peek() == UInt8(ascii: "0"), let prefix = peek(1), let radix = Self.radix(prefix) {
            guard pos == start else {
                throw error("a hexadecimal, octal or binary integer takes no sign, found '\(written(from: start))'", at: start)
            }
            pos += 2
            guard let first = peek(), Self.digitValue(first, radix: radix) != nil else {
                throw error("expected a digit after '0\(Character(Unicode.Scalar(prefix)))', found \(found(at: pos))", at: pos)
            }
            let digitsStart = pos
            try scanDigits(radix: radix)
            var value: Int64 = 0
            for byte in bytes[digitsStart..<pos] where byte != UInt8(ascii: "_") {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: Int64(radix))
                let (sum, overflow2) = shifted.addingReportingOverflow(Int64(Self.digitValue(byte, radix: radix)!))
                guard !overflow, !overflow2 else { throw tooLarge(from: start) }
                value = sum
            }
            return .integer(value)
        }

        let integerStart = pos
        try scanDigits(radix: 10)
        if bytes[integerStart] == UInt8(ascii: "0"), pos - integerStart > 1 {
            throw error("leading zeros are not allowed in a number, found '\(written(from: start))'", at: integerStart)
        }
        var isFloat = false
        if peek() == UInt8(ascii: ".") {
            pos += 1
            guard Self.isDigit(peek()) else { throw error("expected a digit after the decimal point, found \(found(at: pos))", at: pos) }
            try scanDigits(radix: 10)
            isFloat = true
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            pos += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { pos += 1 }
            guard Self.isDigit(peek()) else { throw error("expected the digits of the exponent, found \(found(at: pos))", at: pos) }
            try scanDigits(radix: 10)
            isFloat = true
        }
        let text = String(decoding: bytes[start..<pos].lazy.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let value = Double(text) else { throw error("'\(written(from: start))' is not a number", at: start) }
            return .float(value)
        }
        var value: Int64 = 0
        for byte in bytes[integerStart..<pos] where byte != UInt8(ascii: "_") {
            // Accumulated negative: Int64.min has no positive counterpart.
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { throw tooLarge(from: start) }
            value = sum
        }
        if !negative {
            guard value != .min else { throw tooLarge(from: start) }
            value = -value
        }
        return .integer(value)
    }

    private func tooLarge(from start: Int) -> TOMLSyntaxError {
        var end = start
        while end < bytes.count, Self.isBareKeyByte(bytes[end]) || bytes[end] == UInt8(ascii: "+") { end += 1 }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        return error("integer \(text) does not fit in 64 bits (\(Int64.min) to \(Int64.max))", at: start)
    }

    /// The text of the number read so far.
    private func written(from start: Int) -> String {
        var end = max(pos, start + 1)
        while end < bytes.count, Self.isBareKeyByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
        return String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
    }

    private static func radix(_ prefix: UInt8) -> Int? {
        switch prefix {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    private static func digitValue(_ byte: UInt8, radix: Int) -> Int? {
        guard let value = hexValue(byte), Int(value) < radix else { return nil }
        return Int(value)
    }

    /// Digits of `radix` from `pos` (the first is one), each underscore between two digits.
    private mutating func scanDigits(radix: Int) throws(TOMLSyntaxError) {
        while let c = peek() {
            if Self.digitValue(c, radix: radix) != nil {
                pos += 1
            } else if c == UInt8(ascii: "_") {
                guard let next = peek(1), Self.digitValue(next, radix: radix) != nil else {
                    throw error("an underscore in a number must be between two digits", at: pos)
                }
                pos += 1
            } else {
                return
            }
        }
    }

    // MARK: Date-times

    /// `YYYY-MM-DD`, then optionally `T`, `t` or a space and a time, then optionally an offset.
    private mutating func parseDateTime() throws(TOMLSyntaxError) -> TOMLDateTime {
        var value = TOMLDateTime(kind: .localDate)
        value.year = try twoOrFourDigits(4, of: "the year")
        try expect(UInt8(ascii: "-"), "between the year and the month of a date")
        let monthAt = pos
        value.month = try twoOrFourDigits(2, of: "the month")
        guard (1...12).contains(value.month) else { throw error("month \(value.month) does not exist (01 to 12)", at: monthAt) }
        try expect(UInt8(ascii: "-"), "between the month and the day of a date")
        let dayAt = pos
        value.day = try twoOrFourDigits(2, of: "the day")
        let days = TOMLDateTime.days(inMonth: value.month, year: value.year)
        guard (1...days).contains(value.day) else {
            throw error("day \(value.day) does not exist in month \(value.month) of \(value.year) (01 to \(days))", at: dayAt)
        }
        if let t = peek(), t == UInt8(ascii: "T") || t == UInt8(ascii: "t") {
            pos += 1
            guard Self.isDigit(peek()) else {
                throw error("expected the hour of a date-time after '\(Character(Unicode.Scalar(t)))', found \(found(at: pos))", at: pos)
            }
        } else if peek() == 0x20, Self.isDigit(peek(1)), Self.isDigit(peek(2)), peek(3) == UInt8(ascii: ":") {
            pos += 1
        } else {
            return value
        }
        value.kind = .localDateTime
        try parseTime(into: &value)
        if let z = peek(), z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
            pos += 1
            value.kind = .offsetDateTime
        } else if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            pos += 1
            let hourAt = pos
            let hours = try twoOrFourDigits(2, of: "the hours of the offset")
            try expect(UInt8(ascii: ":"), "between the hours and minutes of the offset")
            let minuteAt = pos
            let minutes = try twoOrFourDigits(2, of: "the minutes of the offset")
            guard hours <= 23 else { throw error("offset hour \(hours) does not exist (00 to 23)", at: hourAt) }
            guard minutes <= 59 else { throw error("offset minute \(minutes) does not exist (00 to 59)", at: minuteAt) }
            value.offsetMinutes = (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
            value.kind = .offsetDateTime
        }
        return value
    }

    /// `HH:MM:SS` with an optional fraction of a second.
    private mutating func parseTime(into value: inout TOMLDateTime) throws(TOMLSyntaxError) {
        let hourAt = pos
        value.hour = try twoOrFourDigits(2, of: "the hour")
        guard value.hour <= 23 else { throw error("hour \(value.hour) does not exist (00 to 23)", at: hourAt) }
        try expect(UInt8(ascii: ":"), "between the hour and the minute of a time")
        let minuteAt = pos
        value.minute = try twoOrFourDigits(2, of: "the minute")
        guard value.minute <= 59 else { throw error("minute \(value.minute) does not exist (00 to 59)", at: minuteAt) }
        try expect(UInt8(ascii: ":"), "between the minute and the second of a time (seconds are required)")
        let secondAt = pos
        value.second = try twoOrFourDigits(2, of: "the second")
        guard value.second <= 60 else { throw error("second \(value.second) does not exist (00 to 60)", at: secondAt) }
        if peek() == UInt8(ascii: ".") {
            pos += 1
            let digitsStart = pos
            while Self.isDigit(peek()) { pos += 1 }
            guard pos > digitsStart else { throw error("expected the digits of a fraction of a second, found \(found(at: pos))", at: pos) }
            value.fraction = String(decoding: bytes[digitsStart..<pos], as: UTF8.self)
        }
    }

    /// Exactly `count` digits (2 or 4) of a date or time field.
    private mutating func twoOrFourDigits(_ count: Int, of field: String) throws(TOMLSyntaxError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let c = peek(), Self.isDigit(c) else {
                throw error("expected \(count) digits for \(field), found \(found(at: pos))", at: pos)
            }
            value = value * 10 + Int(c - UInt8(ascii: "0"))
            pos += 1
        }
        return value
    }

    private mutating func expect(_ byte: UInt8, _ place: String) throws(TOMLSyntaxError) {
        guard peek() == byte else {
            throw error("expected '\(Character(Unicode.Scalar(byte)))' \(place), found \(found(at: pos))", at: pos)
        }
        pos += 1
    }
}
