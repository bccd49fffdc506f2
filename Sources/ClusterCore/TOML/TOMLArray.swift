/// A TOML array: a static one (`[1, 2]`, complete as written) or an array of tables, built
/// from its `[[name]]` headers.
///
/// `lines` holds the 1-based line of each element, so that messages can name `key[i]` by line.
struct TOMLArray: Sendable, Equatable {
    var elements: [TOMLValue]
    /// The line each element starts on (of its `[[name]]` header for an array of tables).
    var lines: [Int]
    /// Built from `[[name]]` headers rather than written as a value.
    var isArrayOfTables: Bool

    init(elements: [TOMLValue] = [], lines: [Int] = [], isArrayOfTables: Bool = false) {
        self.elements = elements
        self.lines = lines
        self.isArrayOfTables = isArrayOfTables
    }

    var count: Int { elements.count }
    var isEmpty: Bool { elements.isEmpty }
    var first: TOMLValue? { elements.first }
    subscript(index: Int) -> TOMLValue { elements[index] }

    /// The same elements: where they were written does not count.
    static func == (a: TOMLArray, b: TOMLArray) -> Bool {
        a.elements == b.elements
    }
}
