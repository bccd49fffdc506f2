/// A TOML table: keys in the order they were first written (messages about unknown keys follow
/// the file), their values, and the line each key was defined on.
///
/// `kind` says how the table came to be: the configuration treats a `[header]` table (or an
/// array of tables) as a section and an inline table as a value.
struct TOMLTable: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// The whole document.
        case document
        /// Opened by a `[name]` header.
        case header
        /// Only named on the way to a deeper header (`a` of `[a.b]`), never opened itself.
        case implicit
        /// Created by a dotted key (`a` of `a.b = 1`).
        case dotted
        /// Written as a value, `{ a = 1 }`: complete as written.
        case inline
        /// One `[[name]]` element of an array of tables.
        case arrayElement
    }

    var kind: Kind
    private(set) var keys: [String]
    private var values: [String: TOMLValue]
    private var lines: [String: Int]

    init(kind: Kind, keys: [String] = [], values: [String: TOMLValue] = [:], lines: [String: Int] = [:]) {
        self.kind = kind
        self.keys = keys
        self.values = values
        self.lines = lines
    }

    subscript(key: String) -> TOMLValue? { values[key] }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// The line `key` was defined on (for a table, where it was opened).
    func line(of key: String) -> Int? { lines[key] }

    /// Written as a value (`{ a = 1 }`) rather than opened by a header or by dotted keys: the
    /// configuration reads it as a key, not as a section.
    var isInline: Bool { kind == .inline }

    /// The line of a key path as the configuration names it (`service.start_timeout`,
    /// `node[1].priority`, `node[0].addresses[1]`), else of its closest enclosing key or section
    /// (`cluster.missing` gives the line of `[cluster]`); nil when not even the first key exists.
    func line(for keyPath: String) -> Int? {
        var table = self
        var best: Int?
        var rest = Substring(keyPath)
        while !rest.isEmpty {
            guard let (key, after) = table.firstKey(of: rest), let value = table.values[key] else { return best }
            best = table.lines[key] ?? best
            rest = after
            var current = value
            while rest.first == "[" {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                      case .array(let array) = current, array.elements.indices.contains(index) else { return best }
                best = array.lines[index]
                current = array.elements[index]
                rest = rest[rest.index(after: close)...]
            }
            guard rest.first == ".", case .table(let inner) = current else { return best }
            rest = rest.dropFirst()
            table = inner
        }
        return best
    }

    /// The shortest key of this table that starts `path` and ends before a `.`, a `[` or the end:
    /// a key holding a dot (`"a.b" = 1`) is found too, unless a shorter key shadows it.
    private func firstKey(of path: Substring) -> (String, Substring)? {
        var end = path.startIndex
        while true {
            end = path[end...].firstIndex(where: { $0 == "." || $0 == "[" }) ?? path.endIndex
            let key = String(path[..<end])
            if values[key] != nil { return (key, path[end...]) }
            guard end < path.endIndex else { return nil }
            end = path.index(after: end)
        }
    }

    /// The same keys, in the same order, with the same values: where they were written and how
    /// the table was opened do not count.
    static func == (a: TOMLTable, b: TOMLTable) -> Bool {
        a.keys == b.keys && a.values == b.values
    }
}
