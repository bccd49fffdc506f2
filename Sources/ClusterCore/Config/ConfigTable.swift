/// One TOML table of the configuration being read, with typed accessors that report what is wrong
/// (wrong type, empty, out of range, not a duration) to the shared `ConfigDiagnostics` and return nil.
///
/// Accessors return nil both when the key is absent and when its value is invalid; the caller applies
/// the default, and the collected errors make the load fail anyway.
struct ConfigTable {
    let table: TOMLTable
    /// Key path of this table (`""` for the document, `service`, `node[1]`).
    let path: String
    let diagnostics: ConfigDiagnostics

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func location(_ key: String) -> ConfigLocation { diagnostics.location(keyPath(key)) }
    func contains(_ key: String) -> Bool { table[key] != nil }
    var keys: [String] { table.keys }

    /// The section this table is, without array indices (`node[1]` -> `node`).
    var sectionName: String {
        var name = ""
        var depth = 0
        for ch in path {
            if ch == "[" { depth += 1 } else if ch == "]" { depth -= 1 } else if depth == 0 { name.append(ch) }
        }
        return name
    }

    /// Reports every key not in `known`, suggesting the closest known one, or the section it belongs in.
    func rejectUnknownKeys(_ known: [String]) {
        for key in table.keys where !known.contains(key) {
            let value = table[key]
            // A [header] table, a table of dotted keys, or an array of tables (also written as a
            // value, `key = [{...}]`): a section, not a key.
            let isSection = value?.table.map { !$0.isInline } ?? false || value?.array?.first?.table != nil
            let suggestion = KeySuggestion.closest(to: key, among: known)
            if isSection {
                let shown = suggestion.map { ConfigLoader.header(of: keyPath($0)) }
                diagnostics.report(.unknownSection(location(key), suggestion: shown))
            } else if suggestion == nil, let owner = ConfigLoader.sectionOwning(key, other: sectionName) {
                diagnostics.report(.misplacedKey(location(key), section: ConfigLoader.header(of: owner)))
            } else {
                diagnostics.report(.unknownKey(location(key), suggestion: suggestion))
            }
        }
    }

    private func wrongType(_ key: String, expected: String, found value: TOMLValue) {
        diagnostics.report(.wrongType(location(key), expected: expected, found: ConfigTable.describe(value)))
    }

    private func present(_ key: String, required: Bool) -> TOMLValue? {
        guard let value = table[key] else {
            if required { diagnostics.report(.missingKey(location(key))) }
            return nil
        }
        return value
    }

    /// A non-empty string.
    func string(_ key: String, required: Bool = false) -> String? {
        guard let value = present(key, required: required) else { return nil }
        guard let text = value.string else {
            wrongType(key, expected: "a string", found: value)
            return nil
        }
        guard !text.allSatisfy({ $0 == " " || $0 == "\t" }) else {
            diagnostics.report(.emptyValue(location(key)))
            return nil
        }
        return text
    }

    func bool(_ key: String) -> Bool? {
        guard let value = present(key, required: false) else { return nil }
        guard let flag = value.boolean else {
            wrongType(key, expected: "true or false", found: value)
            return nil
        }
        return flag
    }

    func integer(_ key: String, in allowed: ClosedRange<Int64>) -> Int64? {
        guard let value = present(key, required: false) else { return nil }
        guard let number = value.integer else {
            wrongType(key, expected: "an integer", found: value)
            return nil
        }
        guard allowed.contains(number) else {
            diagnostics.report(.outOfRange(location(key), value: number, allowed: allowed))
            return nil
        }
        return number
    }

    /// The longest duration a key takes unless it says otherwise: one day. Every timer of the
    /// cluster is far shorter; the bound keeps later arithmetic on clocks from overflowing.
    static let defaultMaximumDuration: Duration = .seconds(86_400)

    /// A duration string (`"200ms"`) or a bare integer of seconds, within `minimum...maximum`.
    func duration(_ key: String, minimum: Duration, maximum: Duration = ConfigTable.defaultMaximumDuration) -> Duration? {
        guard let value = present(key, required: false) else { return nil }
        let parsed: Duration
        switch value {
        case .string(let text):
            do {
                parsed = try Duration(configValue: text)
            } catch {
                diagnostics.report(.invalidDuration(location(key), value: text, reason: error))
                return nil
            }
        case .integer(let seconds):
            do {
                parsed = try Duration(configSeconds: seconds)
            } catch {
                diagnostics.report(.invalidDuration(location(key), value: "\(seconds)", reason: error))
                return nil
            }
        default:
            wrongType(key, expected: "a duration such as \"600s\", \"10min\", \"200ms\" or an integer of seconds", found: value)
            return nil
        }
        guard parsed >= minimum else {
            diagnostics.report(.durationOutOfRange(location(key), value: parsed, minimum: minimum))
            return nil
        }
        guard parsed <= maximum else {
            diagnostics.report(.durationTooLong(location(key), value: parsed, maximum: maximum))
            return nil
        }
        return parsed
    }

    /// An absolute path (starts with `/`, no NUL, no newline).
    func absolutePath(_ key: String, required: Bool = false) -> String? {
        guard let text = string(key, required: required) else { return nil }
        guard text.hasPrefix("/"), !text.contains("\0"), !text.contains("\n") else {
            diagnostics.report(.invalidValue(location(key), value: text, expected: "an absolute path, starting with /"))
            return nil
        }
        return text
    }

    /// One of the raw values of `T`.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, of type: T.Type) -> T? where T.RawValue == String {
        guard let text = string(key) else { return nil }
        guard let choice = T(rawValue: text) else {
            let allowed = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            diagnostics.report(.invalidValue(location(key), value: text, expected: allowed))
            return nil
        }
        return choice
    }

    /// An array of non-empty strings; each element is returned with its key path (`node[0].addresses[1]`).
    func stringArray(_ key: String, required: Bool = false, nonEmpty: Bool = true) -> [(value: String, keyPath: String)]? {
        guard let value = present(key, required: required) else { return nil }
        guard let array = value.array else {
            wrongType(key, expected: "an array of strings", found: value)
            return nil
        }
        if nonEmpty && array.isEmpty {
            diagnostics.report(.emptyValue(location(key)))
            return nil
        }
        var result: [(value: String, keyPath: String)] = []
        var valid = true
        for (index, element) in array.elements.enumerated() {
            let elementPath = "\(keyPath(key))[\(index)]"
            guard let text = element.string else {
                diagnostics.report(.wrongType(diagnostics.location(elementPath), expected: "a string",
                                              found: ConfigTable.describe(element)))
                valid = false
                continue
            }
            guard !text.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                diagnostics.report(.emptyValue(diagnostics.location(elementPath)))
                valid = false
                continue
            }
            result.append((text, elementPath))
        }
        return valid ? result : nil
    }

    /// A sub-table (`[quorum]`, or an inline table).
    func table(_ key: String, required: Bool = false, expected: String) -> ConfigTable? {
        guard let value = present(key, required: required) else { return nil }
        guard let sub = value.table else {
            wrongType(key, expected: expected, found: value)
            return nil
        }
        return ConfigTable(table: sub, path: keyPath(key), diagnostics: diagnostics)
    }

    /// An array of tables (`[[node]]`); entries are named `key[i]`.
    func tableArray(_ key: String, expected: String) -> [ConfigTable]? {
        guard let value = present(key, required: false) else { return nil }
        guard let array = value.array else {
            wrongType(key, expected: expected, found: value)
            return nil
        }
        var tables: [ConfigTable] = []
        for (index, element) in array.elements.enumerated() {
            let elementPath = "\(keyPath(key))[\(index)]"
            guard let sub = element.table else {
                diagnostics.report(.wrongType(diagnostics.location(elementPath), expected: expected,
                                              found: ConfigTable.describe(element)))
                continue
            }
            tables.append(ConfigTable(table: sub, path: elementPath, diagnostics: diagnostics))
        }
        return tables
    }

    /// How a value is shown in "found ..." messages.
    static func describe(_ value: TOMLValue) -> String {
        switch value {
        case .string(let text):
            return "string \"\(text.count > 60 ? String(text.prefix(57)) + "..." : text)\""
        case .integer(let number): return "integer \(number)"
        case .float(let number): return "number \(number)"
        case .boolean(let flag): return "\(flag)"
        case .array: return "an array"
        case .table: return "a table"
        case .dateTime(let value):
            let kind = switch value.kind {
            case .offsetDateTime: "date-time"
            case .localDateTime: "local date-time"
            case .localDate: "date"
            case .localTime: "time"
            }
            return "\(kind) \(value)"
        }
    }
}
