/// A table while `TOMLParser` fills it: a reference, so that a header or a dotted key adds to
/// the table it names in place (a document of many sections costs linear, not quadratic, work).
/// `build()` turns it into the `TOMLTable` value once its text has been read.
///
/// Values written in place (scalars, static arrays, inline tables) are stored complete, as
/// `TOMLValue`s: nothing may add to them later. Tables that headers and dotted keys can still
/// reach stay builders, with the `kind` that decides whether a later header or dotted key may
/// open or extend them.
final class TOMLTableBuilder {
    /// The tables of an array of tables (`[[name]]`), each with the line of its header.
    final class ArrayOfTables {
        var elements: [TOMLTableBuilder] = []
        var lines: [Int] = []
    }

    enum Entry {
        case value(TOMLValue)
        case table(TOMLTableBuilder)
        case arrayOfTables(ArrayOfTables)
    }

    var kind: TOMLTable.Kind
    /// Nesting depth from the document (which is 0); bounded by `TOMLParser.maximumDepth`.
    let depth: Int
    /// Where it was opened: its header, or the key that created it.
    var line: Int
    private(set) var keys: [String] = []
    private(set) var entries: [String: Entry] = [:]
    private(set) var lines: [String: Int] = [:]

    init(kind: TOMLTable.Kind, depth: Int, line: Int) {
        self.kind = kind
        self.depth = depth
        self.line = line
    }

    /// The line `key` was defined on.
    func keyLine(_ key: String) -> Int { lines[key] ?? line }

    func add(_ key: String, _ entry: Entry, line: Int) {
        if entries.updateValue(entry, forKey: key) == nil { keys.append(key) }
        lines[key] = line
    }

    /// The table as a value. Recursion is bounded by the depth limit the parser enforces.
    func build() -> TOMLTable {
        var values: [String: TOMLValue] = [:]
        values.reserveCapacity(keys.count)
        for key in keys {
            switch entries[key]! {
            case .value(let value):
                values[key] = value
            case .table(let table):
                values[key] = .table(table.build())
            case .arrayOfTables(let array):
                let elements = array.elements.map { TOMLValue.table($0.build()) }
                values[key] = .array(TOMLArray(elements: elements, lines: array.lines, isArrayOfTables: true))
            }
        }
        return TOMLTable(kind: kind, keys: keys, values: values, lines: lines)
    }
}
