/// Values: strings, numbers, booleans, date-times, arrays and inline tables.
extension TOMLParser {
    /// The value at `pos`; `depth` is its nesting depth from the document.
    mutating func parseValue(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        guard let c = peek() else { throw error("expected a value, found end of file", at: pos) }
        switch c {
        case UInt8(ascii: "\""):
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            return .string(try parseLiteralString())
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard depth <= Self.maximumDepth else {
                throw error("arrays and inline tables nested more than \(Self.maximumDepth) deep", at: pos)
            }
            return c == UInt8(ascii: "[") ? try parseArray(depth: depth) : try parseInlineTable(depth: depth)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            return try parseNumberOrDateTime()
        default:
            if skip("true") { return .boolean(true) }
            if skip("false") { return .boolean(false) }
            if skip("inf") { return .float(.infinity) }
            if skip("nan") { return .float(.nan) }
            var end = pos
            while end < bytes.count, Self.isBareKeyByte(bytes[end]) { end += 1 }
            guard end > pos else { throw error("expected a value, found \(found(at: pos))", at: pos) }
            let word = String(decoding: bytes[pos..<end], as: UTF8.self)
            throw error("expected a value, found '\(word)' (a string is written in quotes)", at: pos)
        }
    }

    /// Skips `word` when the text continues with it.
    mutating func skip(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard pos + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[pos + $0] == expected[$0] }
        }
        if matches { pos += count }
        return matches
    }

    /// `[ value, value, ]`: newlines and comments allowed between elements, a trailing comma too.
    private mutating func parseArray(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let open = pos
        pos += 1
        var elements: [TOMLValue] = []
        var lines: [Int] = []
        while true {
            try skipBlanksCommentsAndNewlines()
            guard let c = peek() else {
                throw error("expected a value or ']' to end the array opened on line \(line(at: open)), found end of file", at: pos)
            }
            if c == UInt8(ascii: "]") {
                pos += 1
                break
            }
            lines.append(line(at: pos))
            elements.append(try parseValue(depth: depth + 1))
            try skipBlanksCommentsAndNewlines()
            guard let next = peek() else {
                throw error("expected ',' or ']' to end the array opened on line \(line(at: open)), found end of file", at: pos)
            }
            if next == UInt8(ascii: ",") {
                pos += 1
            } else if next == UInt8(ascii: "]") {
                pos += 1
                break
            } else {
                throw error("expected ',' or ']' in an array, found \(found(at: pos))", at: pos)
            }
        }
        return .array(TOMLArray(elements: elements, lines: lines))
    }

    private mutating func skipBlanksCommentsAndNewlines() throws(TOMLSyntaxError) {
        while let c = peek() {
            switch c {
            case 0x20, 0x09, Self.lf:
                pos += 1
            case Self.cr:
                guard peek(1) == Self.lf else { throw error("expected a line feed after a carriage return, found \(found(at: pos + 1))", at: pos) }
                pos += 2
            case UInt8(ascii: "#"):
                try skipComment()
            default:
                return
            }
        }
    }

    /// `{ key = value, key = value }`: on one line, no trailing comma, complete as written.
    private mutating func parseInlineTable(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let table = TOMLTableBuilder(kind: .inline, depth: depth, line: line(at: pos))
        pos += 1
        skipBlanks()
        if peek() == UInt8(ascii: "}") {
            pos += 1
            return .table(table.build())
        }
        while true {
            skipBlanks()
            _ = try parseKeyValue(into: table)
            skipBlanks()
            guard let c = peek() else { throw error("expected ',' or '}' in an inline table, found end of file", at: pos) }
            if c == UInt8(ascii: ",") {
                pos += 1
                skipBlanks()
                if peek() == UInt8(ascii: "}") {
                    throw error("expected a key after ',' in an inline table, found '}' (an inline table takes no trailing comma)", at: pos)
                }
            } else if c == UInt8(ascii: "}") {
                pos += 1
                return .table(table.build())
            } else {
                let hint = c == Self.lf || c == Self.cr ? " (an inline table is written on one line)" : ""
                throw error("expected ',' or '}' in an inline table, found \(found(at: pos))\(hint)", at: pos)
            }
        }
    }
}
