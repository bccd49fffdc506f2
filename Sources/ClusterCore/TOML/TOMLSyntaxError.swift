/// Why a text is not TOML, and where: the 1-based line, and the 1-based column counted in
/// Unicode scalars the way an editor shows it (a leading byte order mark does not count).
///
/// `message` is one line that says what was found and what was expected, e.g.
/// `expected '=' after the key "name", found 'x'`.
struct TOMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String

    var description: String { "\(line):\(column): \(message)" }
}
