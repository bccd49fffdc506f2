/// Reads TOML 1.0.0 (https://toml.io/en/v1.0.0) into a `TOMLTable`, recording the line of every
/// key, header, array element and `[[name]]` element for the configuration's messages.
///
/// Pure Swift over the UTF-8 bytes: no Foundation, no C library. Built to be safe on hostile
/// text: every error is a `TOMLSyntaxError` with line, column and what was expected (never a
/// trap), arrays and tables nest at most `maximumDepth` deep (recursion is bounded by that), and
/// the work is linear in the size of the text.
struct TOMLParser {
    /// The deepest nesting of tables, arrays and inline tables accepted. Configurations use 3.
    static let maximumDepth = 100

    static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        var parser = TOMLParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    let bytes: [UInt8]
    var pos: Int
    /// Where the text starts: after a byte order mark, which is ignored.
    let start: Int
    /// The last offset `line(at:)` counted to, and its line: keys come in file order, so counting
    /// lines as they are needed stays linear.
    private var lineCursor: Int
    private var lineAtCursor = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
        start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        pos = start
        lineCursor = start
    }

    // MARK: The document

    mutating func parseDocument() throws(TOMLSyntaxError) -> TOMLTable {
        let root = TOMLTableBuilder(kind: .document, depth: 0, line: 1)
        var section = root
        while true {
            skipBlanks()
            guard let c = peek() else { break }
            switch c {
            case UInt8(ascii: "#"):
                try skipComment()
            case Self.lf:
                pos += 1
            case Self.cr:
                guard peek(1) == Self.lf else { throw error("expected a line feed after a carriage return, found \(found(at: pos + 1))", at: pos) }
                pos += 2
            case UInt8(ascii: "["):
                section = try parseHeader(root: root)
            default:
                let key = try parseKeyValue(into: section)
                try endOfLine(after: "the value of \"\(key)\"")
            }
        }
        return root.build()
    }

    /// After a statement: blanks, an optional comment, then a newline or the end of the text.
    private mutating func endOfLine(after what: String) throws(TOMLSyntaxError) {
        skipBlanks()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        guard let c = peek() else { return }
        if c == Self.lf {
            pos += 1
        } else if c == Self.cr, peek(1) == Self.lf {
            pos += 2
        } else {
            throw error("expected the end of the line after \(what), found \(found(at: pos))", at: pos)
        }
    }

    /// `[a.b]` or `[[a.b]]`: the table that the following keys go into.
    private mutating func parseHeader(root: TOMLTableBuilder) throws(TOMLSyntaxError) -> TOMLTableBuilder {
        let headerStart = pos
        pos += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { pos += 1 }
        let parts = try parseKey(context: " in the table header")
        let name = Self.display(parts)
        let shown = isArray ? "[[\(name)]]" : "[\(name)]"
        guard peek() == UInt8(ascii: "]") else {
            throw error("expected '\(isArray ? "]]" : "]")' to end the table header \(isArray ? "[[" : "[")\(name), found \(found(at: pos))", at: pos)
        }
        pos += 1
        if isArray {
            guard peek() == UInt8(ascii: "]") else { throw error("expected ']]' to end the table header [[\(name), found \(found(at: pos))", at: pos) }
            pos += 1
        }
        let line = line(at: headerStart)

        var table = root
        for (index, part) in parts.dropLast().enumerated() {
            switch table.entries[part.name] {
            case nil:
                let implicit = TOMLTableBuilder(kind: .implicit, depth: table.depth + 1, line: line)
                table.add(part.name, .table(implicit), line: line)
                table = implicit
            case .table(let existing):
                table = existing
            case .arrayOfTables(let array):
                table = array.elements[array.elements.count - 1]
            case .value(let value):
                let prefix = Self.display(parts[...index])
                throw error("cannot open \(shown): \"\(prefix)\" is \(Self.describe(value)) (line \(table.keyLine(part.name))), not a table",
                            at: headerStart)
            }
        }

        let last = parts[parts.count - 1].name
        let section: TOMLTableBuilder
        if isArray {
            let array: TOMLTableBuilder.ArrayOfTables
            switch table.entries[last] {
            case nil:
                array = TOMLTableBuilder.ArrayOfTables()
                table.add(last, .arrayOfTables(array), line: line)
            case .arrayOfTables(let existing):
                array = existing
            case .table(let existing):
                throw error("cannot open \(shown): \"\(name)\" is already a table (line \(existing.line)), not an array of tables", at: headerStart)
            case .value(let value):
                throw error("cannot open \(shown): \"\(name)\" is \(Self.describe(value)) (line \(table.keyLine(last))), which is complete as written",
                            at: headerStart)
            }
            section = TOMLTableBuilder(kind: .arrayElement, depth: table.depth + 1, line: line)
            array.elements.append(section)
            array.lines.append(line)
        } else {
            switch table.entries[last] {
            case nil:
                section = TOMLTableBuilder(kind: .header, depth: table.depth + 1, line: line)
                table.add(last, .table(section), line: line)
            case .table(let existing):
                switch existing.kind {
                case .implicit:
                    // Named by an earlier deeper header (`[a.b]` before `[a]`): opened now, once.
                    existing.kind = .header
                    existing.line = line
                    table.add(last, .table(existing), line: line)
                    section = existing
                case .dotted:
                    throw error("table \(shown) was already defined with dotted keys (line \(existing.line))", at: headerStart)
                default:
                    throw error("table \(shown) defined twice (first on line \(existing.line))", at: headerStart)
                }
            case .arrayOfTables(let array):
                throw error("table \(shown) is already an array of tables (first [[\(name)]] on line \(array.lines.first ?? line))", at: headerStart)
            case .value(let value):
                throw error("cannot open \(shown): \"\(name)\" is \(Self.describe(value)) (line \(table.keyLine(last))), not a table",
                            at: headerStart)
            }
        }
        try endOfLine(after: "the table header \(shown)")
        return section
    }

    /// `key = value` into `table` (a section or an inline table); returns the key as written.
    mutating func parseKeyValue(into table: TOMLTableBuilder) throws(TOMLSyntaxError) -> String {
        let parts = try parseKey(context: "")
        let key = Self.display(parts)
        guard peek() == UInt8(ascii: "=") else {
            throw error("expected '=' after the key \"\(key)\", found \(found(at: pos))", at: pos)
        }
        pos += 1
        skipBlanks()
        let depth = table.depth + parts.count
        guard depth <= Self.maximumDepth else {
            throw error("the key \"\(key)\" nests tables more than \(Self.maximumDepth) deep", at: parts[0].offset)
        }
        let line = line(at: parts[0].offset)
        let target = try tableForKey(parts, in: table, line: line)
        let value = try parseValue(depth: depth)
        target.add(parts[parts.count - 1].name, .value(value), line: line)
        return key
    }

    /// The table a dotted key's last part goes into, creating the tables its other parts name;
    /// refuses a key already defined, and tables that dotted keys may not extend.
    private mutating func tableForKey(_ parts: [KeyPart], in section: TOMLTableBuilder, line: Int) throws(TOMLSyntaxError) -> TOMLTableBuilder {
        var table = section
        for (index, part) in parts.dropLast().enumerated() {
            var prefix: String { Self.display(parts[...index]) }
            switch table.entries[part.name] {
            case nil:
                let dotted = TOMLTableBuilder(kind: .dotted, depth: table.depth + 1, line: line)
                table.add(part.name, .table(dotted), line: line)
                table = dotted
            case .table(let existing):
                switch existing.kind {
                case .dotted:
                    table = existing
                case .implicit:
                    // Only named by a deeper header so far; now defined by dotted keys.
                    existing.kind = .dotted
                    table = existing
                default:
                    throw error("cannot add to the table \"\(prefix)\" with a dotted key: it was opened by a header (line \(existing.line))",
                                at: parts[0].offset)
                }
            case .arrayOfTables(let array):
                throw error("cannot add to \"\(prefix)\" with a dotted key: it is an array of tables (first [[...]] on line \(array.lines.first ?? line))",
                            at: parts[0].offset)
            case .value(let value):
                if case .table = value {
                    throw error("cannot add to the inline table \"\(prefix)\" (line \(table.keyLine(part.name))): an inline table is complete as written",
                                at: parts[0].offset)
                }
                throw error("the key \"\(prefix)\" is \(Self.describe(value)) (line \(table.keyLine(part.name))), not a table",
                            at: parts[0].offset)
            }
        }
        let last = parts[parts.count - 1].name
        if table.entries[last] != nil {
            throw error("duplicate key \"\(Self.display(parts))\" (first defined on line \(table.keyLine(last)))", at: parts[0].offset)
        }
        return table
    }

    // MARK: Positions and messages

    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    func peek(_ ahead: Int = 0) -> UInt8? {
        let index = pos + ahead
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func skipBlanks() {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x09 { pos += 1 }
    }

    /// A control character TOML refuses in comments and strings (tab is allowed).
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    /// From `#` to the end of the line (not included).
    mutating func skipComment() throws(TOMLSyntaxError) {
        pos += 1
        while let c = peek() {
            if c == Self.lf || (c == Self.cr && peek(1) == Self.lf) { return }
            if Self.isControl(c) { throw error("control character \(Self.codePoint(c)) in a comment", at: pos) }
            pos += 1
        }
    }

    /// The 1-based line of `offset`, counted forward from the last call.
    mutating func line(at offset: Int) -> Int {
        if offset < lineCursor {
            lineCursor = start
            lineAtCursor = 1
        }
        var line = lineAtCursor
        var index = lineCursor
        while index < offset {
            if bytes[index] == Self.lf { line += 1 }
            index += 1
        }
        lineCursor = offset
        lineAtCursor = line
        return line
    }

    /// An error at `offset`: its line, and its column in Unicode scalars from 1.
    func error(_ message: String, at offset: Int) -> TOMLSyntaxError {
        let offset = min(offset, bytes.count)
        var line = 1
        var lineStart = start
        var index = start
        while index < offset {
            if bytes[index] == Self.lf {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        var column = 1
        for byte in bytes[lineStart..<offset] where byte & 0xC0 != 0x80 { column += 1 }
        return TOMLSyntaxError(line: line, column: column, message: message)
    }

    /// What is at `offset`, for "found ..." in messages: `'x'`, `end of line`, `end of file`.
    func found(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of file" }
        if bytes[offset] == Self.lf || (bytes[offset] == Self.cr && offset + 1 < bytes.count && bytes[offset + 1] == Self.lf) {
            return "end of line"
        }
        return "'\(character(at: offset))'"
    }

    /// The Unicode scalar starting at `offset`, as a message shows it (escaped unless printable ASCII).
    func character(at offset: Int) -> String {
        let end = min(offset + 4, bytes.count)
        guard offset < end, let scalar = String(decoding: bytes[offset..<end], as: UTF8.self).unicodeScalars.first else { return "" }
        return (0x20...0x7E).contains(scalar.value) ? String(Character(scalar)) : scalar.escaped(asASCII: true)
    }

    static func codePoint(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// A key as the messages show it: its parts joined by dots.
    static func display(_ parts: some Collection<KeyPart>) -> String {
        parts.map(\.name).joined(separator: ".")
    }

    /// A value as "is ..." messages name it.
    static func describe(_ value: TOMLValue) -> String {
        switch value {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .dateTime: "a date-time"
        case .array: "an array"
        case .table: "an inline table"
        }
    }
}
