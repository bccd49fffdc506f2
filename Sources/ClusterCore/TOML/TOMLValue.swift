/// One value of a TOML document (TOML 1.0.0), as `TOMLParser` reads it.
///
/// Integers are 64-bit as the specification requires (a larger one is a syntax error, not a
/// wrap-around). Date-times keep what was written (`TOMLDateTime`): the configuration uses none,
/// they only need to parse and to be reported as the wrong type.
enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case dateTime(TOMLDateTime)
    case array(TOMLArray)
    case table(TOMLTable)

    var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    var integer: Int64? {
        if case .integer(let number) = self { number } else { nil }
    }

    var float: Double? {
        if case .float(let number) = self { number } else { nil }
    }

    var boolean: Bool? {
        if case .boolean(let flag) = self { flag } else { nil }
    }

    var dateTime: TOMLDateTime? {
        if case .dateTime(let value) = self { value } else { nil }
    }

    var array: TOMLArray? {
        if case .array(let array) = self { array } else { nil }
    }

    var table: TOMLTable? {
        if case .table(let table) = self { table } else { nil }
    }
}
