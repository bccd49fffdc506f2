import Foundation

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

    private static let unitMilliseconds: [String: Double] = [
        "ms": 1, "msec": 1,
        "s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000,
        "min": 60_000, "mins": 60_000, "minute": 60_000, "minutes": 60_000,
        "h": 3_600_000, "hr": 3_600_000, "hour": 3_600_000, "hours": 3_600_000,
        "d": 86_400_000, "day": 86_400_000, "days": 86_400_000,
    ]

    public static func parse(_ raw: String) throws(ParseError) -> Duration {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw .empty }
        let numberPart = text.prefix { $0.isNumber || $0 == "." }
        let unit = text.dropFirst(numberPart.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard !numberPart.isEmpty, let value = Double(numberPart), value.isFinite else { throw .notANumber(raw) }
        let factor: Double
        if unit.isEmpty {
            factor = 1000
        } else if let known = unitMilliseconds[unit] {
            factor = known
        } else if unit == "m" || unit.hasPrefix("mo") {
            throw .ambiguousUnit(raw)
        } else {
            throw .unknownUnit(text: raw, unit: unit)
        }
        let milliseconds = (value * factor).rounded()
        guard milliseconds >= 1 else { throw .notPositive(raw) }
        guard milliseconds < Double(Int64.max) else { throw .notANumber(raw) }
        return .milliseconds(Int64(milliseconds))
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
