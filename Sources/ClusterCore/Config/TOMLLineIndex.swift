/// Maps key paths (`service.start_timeout`, `node[1].priority`) to the line where they are written.
///
/// TOMLKit reports lines only for syntax errors; this scanner recovers them for everything else so that
/// errors read `file:12: key: ...`. It runs on text the TOML parser has already accepted and only needs to
/// find table headers and `key =` lines; anything it does not understand simply has no line.
struct TOMLLineIndex {
    private var lines: [String: Int] = [:]

    init(source: String) {
        var prefix = ""
        var arrayCounts: [String: Int] = [:]
        var openMultilineString: String?   // the closing delimiter while inside a multi-line string
        var bracketDepth = 0               // > 0 while inside a multi-line array

        let sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in sourceLines.enumerated() {
            let number = offset + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }

            if let delimiter = openMultilineString {
                if line.contains(delimiter) { openMultilineString = nil }
                continue
            }
            if bracketDepth > 0 {
                bracketDepth += TOMLLineIndex.bracketBalance(line)
                continue
            }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }

            if trimmed.hasPrefix("[") {
                let isArray = trimmed.hasPrefix("[[")
                let inner = trimmed.dropFirst(isArray ? 2 : 1)
                guard let close = TOMLLineIndex.indexOutsideQuotes(of: "]", in: inner) else { continue }
                let components = TOMLLineIndex.keyComponents(inner[..<close])
                guard !components.isEmpty else { continue }
                // Resolve parents that are arrays of tables to their latest element.
                var path = ""
                for (i, component) in components.enumerated() {
                    path += path.isEmpty ? component : "." + component
                    if i < components.count - 1, let count = arrayCounts[path] { path += "[\(count - 1)]" }
                }
                if isArray {
                    let index = arrayCounts[path, default: 0]
                    arrayCounts[path] = index + 1
                    if lines[path] == nil { lines[path] = number }
                    path += "[\(index)]"
                }
                if lines[path] == nil { lines[path] = number }
                prefix = path
                continue
            }

            guard let equals = TOMLLineIndex.indexOutsideQuotes(of: "=", in: trimmed) else { continue }
            let key = TOMLLineIndex.keyComponents(trimmed[..<equals]).joined(separator: ".")
            guard !key.isEmpty else { continue }
            let full = prefix.isEmpty ? key : prefix + "." + key
            if lines[full] == nil { lines[full] = number }

            let value = trimmed[trimmed.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
                if !value.dropFirst(3).contains(delimiter) { openMultilineString = delimiter }
            }
            if openMultilineString == nil, value.hasPrefix("[") {
                bracketDepth = TOMLLineIndex.bracketBalance(value)
            }
        }
    }

    /// The line of `keyPath`, else of its closest enclosing key or section.
    func line(for keyPath: String) -> Int? {
        var path = Substring(keyPath)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            if path.hasSuffix("]"), let open = path.lastIndex(of: "[") {
                path = path[..<open]
            } else if let dot = path.lastIndex(of: ".") {
                path = path[..<dot]
            } else {
                return nil
            }
        }
        return nil
    }

    /// Splits `a."b.c" . d` into ["a", "b.c", "d"].
    private static func keyComponents(_ text: Substring) -> [String] {
        var components: [String] = []
        var current = ""
        var quote: Character?
        for ch in text {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "." {
                components.append(current.trimmed(of: " \t"))
                current = ""
            } else {
                current.append(ch)
            }
        }
        components.append(current.trimmed(of: " \t"))
        return components.allSatisfy({ !$0.isEmpty }) ? components : []
    }

    private static func indexOutsideQuotes(of target: Character, in text: Substring) -> Substring.Index? {
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            if let q = quote {
                if ch == "\\" && q == "\"" { index = text.index(after: index) }
                else if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "#" {
                return nil
            } else if ch == target {
                return index
            }
            if index < text.endIndex { index = text.index(after: index) }
        }
        return nil
    }

    /// Opening minus closing brackets on a line, ignoring strings and comments.
    private static func bracketBalance(_ text: Substring) -> Int {
        var balance = 0
        var quote: Character?
        var escaped = false
        for ch in text {
            if let q = quote {
                if escaped { escaped = false } else if ch == "\\" && q == "\"" { escaped = true } else if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "#" {
                break
            } else if ch == "[" {
                balance += 1
            } else if ch == "]" {
                balance -= 1
            }
        }
        return balance
    }
}

extension String {
    fileprivate func trimmed(of set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
