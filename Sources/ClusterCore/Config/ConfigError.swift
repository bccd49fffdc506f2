
/// Everything that can be wrong with a configuration. Each case carries where (`ConfigLocation`:
/// file, key path, line) and what was expected; `description` is one line a sysadmin can act on, e.g.
///
///     /etc/hacluster/haclusterd.toml:12: service.start_timeout: "10 minutes" is not a duration: unknown unit "minutes" (expected e.g. "600s", "10min", "200ms")
///
/// Commands that load a configuration exit with `exitStatus` (2) on any of these.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// Not valid TOML.
    case syntax(file: String?, line: Int, column: Int, message: String)
    case unknownKey(ConfigLocation, suggestion: String?)
    /// A key of another section (`two_node` under `[cluster]`); `section` is that section's header.
    case misplacedKey(ConfigLocation, section: String)
    /// `suggestion` is a header as written, `[service]` or `[[node]]`.
    case unknownSection(ConfigLocation, suggestion: String?)
    /// `expected` reads like "a string" or "an array of tables ([[node]])"; `found` like "integer 5".
    case wrongType(ConfigLocation, expected: String, found: String)
    case missingKey(ConfigLocation)
    /// A section that must appear at least once, such as `[[node]]`.
    case missingSection(ConfigLocation, header: String)
    case emptyValue(ConfigLocation)
    case invalidDuration(ConfigLocation, value: String, reason: DurationParseError)
    /// A duration that parses but is not allowed here (zero where time must pass).
    case durationOutOfRange(ConfigLocation, value: Duration, minimum: Duration)
    case durationTooLong(ConfigLocation, value: Duration, maximum: Duration)
    case outOfRange(ConfigLocation, value: Int64, allowed: ClosedRange<Int64>)
    /// A value of the right type but not of the expected form; `expected` says what would be valid.
    case invalidValue(ConfigLocation, value: String, expected: String)
    /// The value is already used at `firstUse` (a key path).
    case duplicate(ConfigLocation, value: String, firstUse: String)
    case inconsistent(ConfigLocation, ConfigInconsistency)
    /// The file named by the key (cluster key, password file) is not usable.
    case secretFile(ConfigLocation, SecretFileError)
    /// `agent_dir/agent` is missing or not executable.
    case fenceAgentNotExecutable(ConfigLocation, path: String)
    /// A file that decides what runs as root (the configuration, a fence agent) is writable by group or others.
    case writableByOthers(ConfigLocation, path: String, mode: UInt32)
    /// The configuration file could be changed by someone other than root (`FileTrust`).
    case untrustedFile(ConfigLocation, reason: String)
    /// Several of the above, in file order.
    case multiple([ConfigError])

    /// The exit status of a command that failed on this error.
    public static let exitStatus: Int32 = 2

    /// The individual errors (`multiple` flattened).
    public var errors: [ConfigError] {
        if case .multiple(let list) = self { return list.flatMap(\.errors) }
        return [self]
    }

    /// Where the error is, when it concerns one key.
    public var location: ConfigLocation? {
        switch self {
        case .unknownKey(let l, _), .misplacedKey(let l, _), .unknownSection(let l, _), .wrongType(let l, _, _), .missingKey(let l), .missingSection(let l, _),
            .emptyValue(let l), .invalidDuration(let l, _, _), .durationOutOfRange(let l, _, _), .durationTooLong(let l, _, _),
            .outOfRange(let l, _, _), .invalidValue(let l, _, _), .duplicate(let l, _, _),
            .inconsistent(let l, _), .secretFile(let l, _), .fenceAgentNotExecutable(let l, _), .writableByOthers(let l, _, _),
            .untrustedFile(let l, _):
            l
        case .unreadable, .syntax, .multiple:
            nil
        }
    }

    /// The key path the error is about, if any (`service.start_timeout`).
    public var keyPath: String? { location?.keyPath }

    /// The line the error is on, when known.
    public var line: Int? {
        if case .syntax(_, let line, _, _) = self { return line }
        return location?.line
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the configuration: \(reason)"
        case .syntax(let file, let line, let column, let message):
            return "\(file.map { "\($0):" } ?? "line ")\(line):\(column): not valid TOML: \(message)"
        case .unknownKey(let l, let suggestion):
            let last = l.keyPath.split(separator: ".").last.map(String.init) ?? l.keyPath
            return "\(l): unknown key \"\(last)\"" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
        case .misplacedKey(let l, let section):
            let last = l.keyPath.split(separator: ".").last.map(String.init) ?? l.keyPath
            return "\(l): unknown key \"\(last)\" here; it belongs in \(section)"
        case .unknownSection(let l, let suggestion):
            return "\(l): unknown section" + (suggestion.map { " (did you mean \($0)?)" } ?? "")
        case .wrongType(let l, let expected, let found):
            return "\(l): expected \(expected), found \(found)"
        case .missingKey(let l):
            return "\(l): required key is missing"
        case .missingSection(let l, let header):
            return "\(l): at least one \(header) section is required"
        case .emptyValue(let l):
            return "\(l): must not be empty"
        case .invalidDuration(let l, let value, let reason):
            return "\(l): \"\(value)\" is not a duration: \(reason) (expected e.g. \"600s\", \"10min\", \"200ms\")"
        case .durationOutOfRange(let l, let value, let minimum):
            return "\(l): \(value.configString) is too short (minimum \(minimum.configString))"
        case .durationTooLong(let l, let value, let maximum):
            return "\(l): \(value.configString) is too long (maximum \(maximum.configString))"
        case .outOfRange(let l, let value, let allowed):
            return "\(l): \(value) is out of range (allowed \(allowed.lowerBound)...\(allowed.upperBound))"
        case .invalidValue(let l, let value, let expected):
            return "\(l): \"\(value)\" is not valid (expected \(expected))"
        case .duplicate(let l, let value, let firstUse):
            return "\(l): \"\(value)\" is already used by \(firstUse)"
        case .inconsistent(let l, let rule):
            return "\(l): \(rule)"
        case .secretFile(let l, let problem):
            return "\(l): \(problem)"
        case .fenceAgentNotExecutable(let l, let path):
            return "\(l): \(path) is not an executable fence agent (is the fence-agents package installed? is agent_dir right?)"
        case .untrustedFile(let l, let reason):
            return "\(l): \(reason)"
        case .writableByOthers(let l, let path, let mode):
            return "\(l.keyPath.isEmpty ? "\(l)" : "\(l): \(path)"): mode \(SecretFileError.octal(mode)) lets group or others change "
                + "what runs as root: chmod go-w \(path)"
        case .multiple(let list):
            return list.map(\.description).joined(separator: "\n")
        }
    }
}
