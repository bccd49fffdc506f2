/// A TOML date-time value of one of the four kinds the specification has, with its fields as
/// written. The configuration has no date-time key; the parser still reads and checks them (a
/// month 13 or a February 30 is a syntax error) so that a file is refused for the right reason.
struct TOMLDateTime: Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// `1979-05-27T07:32:00Z`, `1979-05-27 07:32:00-07:00`
        case offsetDateTime
        /// `1979-05-27T07:32:00`
        case localDateTime
        /// `1979-05-27`
        case localDate
        /// `07:32:00.999`
        case localTime
    }

    var kind: Kind
    var year = 0
    var month = 0
    var day = 0
    var hour = 0
    var minute = 0
    /// 0-60: RFC 3339 allows a leap second.
    var second = 0
    /// The digits after the decimal point, as written ("" when none): TOML allows more digits
    /// than any clock keeps, so they are kept as text.
    var fraction = ""
    /// Minutes east of UTC, for offset date-times (`Z` is 0).
    var offsetMinutes = 0

    var hasDate: Bool { kind != .localTime }
    var hasTime: Bool { kind != .localDate }

    /// Days in `month` (1-12) of `year`, in the proleptic Gregorian calendar.
    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// RFC 3339 text (`Z` for a zero offset), as TOML writes it.
    var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = ""
        if hasDate {
            let y = String(year)
            text += String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + two(month) + "-" + two(day)
        }
        if hasTime {
            if hasDate { text += "T" }
            text += two(hour) + ":" + two(minute) + ":" + two(second)
            if !fraction.isEmpty { text += "." + fraction }
        }
        if kind == .offsetDateTime {
            if offsetMinutes == 0 {
                text += "Z"
            } else {
                let magnitude = abs(offsetMinutes)
                text += (offsetMinutes < 0 ? "-" : "+") + two(magnitude / 60) + ":" + two(magnitude % 60)
            }
        }
        return text
    }
}
