/// Durations as operators type them (the spec's units): `200ms`, `1s`, `600S`, `10min`, `2h`,
/// `1d`; a bare number is seconds. `10m` is refused: minutes or months is exactly the ambiguity
/// that leaves a ban in place for a month.
public enum DurationText {
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case notANumber(String)
        case ambiguousUnit(String)
        case unknownUnit(text: String, unit: String)
        case notPositive(String)

        public var description: String {
            switch self {
            case .empty:
                return "empty duration: expected a number with a unit such as 30s, 10min, 2h"
            case let .notANumber(text):
                return "'\(text)' is not a duration: expected a number with a unit such as 30s, 10min, 2h"
            case let .ambiguousUnit(text):
                return "'\(text)' is ambiguous (minutes or months?): write minutes as 'min' (e.g. 10min)"
            case let .unknownUnit(text, unit):
                return "'\(text)': unknown unit '\(unit)', expected ms, s, min, h or d (e.g. 10min)"
            case let .notPositive(text):
                return "'\(text)': a duration must be greater than zero"
            }
        }
    }

    private static let daySpellings = ["d", "day", "days"]

    /// Same grammar and units as the configuration (`Duration(configValue:)`), plus days for lifetimes.
    public static func parse(_ raw: String) throws(ParseError) -> Duration {
        let text = raw.trimmingWhitespace(newlines: false)
        guard !text.isEmpty else { throw .empty }
        let duration: Duration
        if let days = daySpellings.first(where: { text.lowercased().hasSuffix($0) && Double(text.dropLast($0.count).trimmingWhitespace(newlines: false)) != nil }) {
            guard let count = Double(text.dropLast(days.count).trimmingWhitespace(newlines: false)), count.isFinite, count < 100_000 else {
                throw .notANumber(raw)
            }
            duration = .milliseconds(Int64((count * 86_400_000).rounded()))
        } else {
            do {
                duration = try Duration(configValue: text)
            } catch {
                switch error {
                case .ambiguousMinutes:
                    throw .ambiguousUnit(raw)
                case let .unknownUnit(unit) where unit.lowercased().hasPrefix("mo"):
                    throw .ambiguousUnit(raw)
                case let .unknownUnit(unit):
                    throw .unknownUnit(text: raw, unit: unit)
                case .empty:
                    throw .empty
                case .negative:
                    throw .notPositive(raw)
                case .notANumber, .overflow:
                    throw .notANumber(raw)
                }
            }
        }
        guard duration >= .milliseconds(1) else { throw .notPositive(raw) }
        return duration
    }

    /// A compact human form: `45s`, `9min 58s`, `2h 5min`, `3d 4h`, `350ms`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds < 1 {
            return "\(max(0, attoseconds / 1_000_000_000_000_000))ms"
        }
        if seconds < 10, attoseconds >= 100_000_000_000_000_000 {
            let tenths = attoseconds / 100_000_000_000_000_000
            return "\(seconds).\(tenths)s"
        }
        return format(seconds: seconds)
    }

    public static func format(seconds: Int64) -> String {
        let days = seconds / 86_400
        let hours = seconds % 86_400 / 3600
        let minutes = seconds % 3600 / 60
        let secs = seconds % 60
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)min" : "\(hours)h" }
        if minutes > 0 { return secs > 0 ? "\(minutes)min \(secs)s" : "\(minutes)min" }
        return "\(secs)s"
    }
}
