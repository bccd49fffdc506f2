/// Why a configuration string is not a duration (see `Duration(configValue:)`).
public enum DurationParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An empty or all-blank string.
    case empty
    /// A leading minus sign: durations in the configuration are never negative.
    case negative
    /// No number where one was expected, or stray characters (`"abc"`, `"1.2.3s"`, `"s"`).
    case notANumber
    /// A number followed by a unit this parser does not know (`"10 minutes"`, `"3d"`).
    case unknownUnit(String)
    /// `"10m"`: minutes or milliseconds? The configuration spells minutes `min` and milliseconds `ms`.
    case ambiguousMinutes
    /// The value does not fit (about 292 years at nanosecond resolution).
    case overflow

    public var description: String {
        switch self {
        case .empty: "empty duration"
        case .negative: "durations cannot be negative"
        case .notANumber: "not a number followed by a unit"
        case .unknownUnit(let unit): "unknown unit \"\(unit)\" (units: ms, s, min, h)"
        case .ambiguousMinutes: "\"m\" is ambiguous: use \"min\" for minutes or \"ms\" for milliseconds"
        case .overflow: "too large"
        }
    }
}
