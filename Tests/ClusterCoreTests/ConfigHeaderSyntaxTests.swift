import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// A table header whose key starts with a character no key can start with (`[!`) once made the
/// parser abort the process on an assertion (found by fuzz/ fuzz-config): the loader reports it
/// as a syntax error with its line and column, and leaves such lines inside multi-line strings
/// and arrays alone.
@Suite struct ConfigHeaderSyntaxTests {
    static let refused: [(text: String, line: Int, column: Int)] = [
        ("[!", 1, 2),
        ("[!]\n", 1, 2),
        ("[[ #x]]\n", 1, 4),
        ("  [\n", 1, 4),
        ("[\r\nname = 1\n", 1, 2),
        ("\u{FEFF}[*a]\n", 1, 2),
        ("[é]\n", 1, 2),
        (ConfigFixtures.minimal + "\n[=x]\n", 17, 2),
        ("a = \"\"\"\n[!\n\"\"\"\n[?]\n", 4, 2),
    ]

    @Test(arguments: refused.indices)
    func refusedAsSyntaxError(_ index: Int) {
        let (text, line, column) = Self.refused[index]
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(toml: text, path: "/h.toml") }
        do {
            _ = try ConfigLoader.parse(toml: text, path: "/h.toml")
        } catch {
            guard case let .syntax(file, errorLine, errorColumn, message) = error else {
                Issue.record("not a syntax error: \(error)")
                return
            }
            #expect(file == "/h.toml")
            #expect((errorLine, errorColumn) == (line, column), "\(error)")
            #expect(error.description.hasPrefix("/h.toml:\(line):\(column): not valid TOML: "), "\(error)")
            #expect(!message.contains("\n"))
        }
    }

    /// The same characters where they are no header: in strings, in arrays, in comments, and
    /// after an earlier error (which the parser reports first).
    @Test func linesThatAreNoHeader() throws {
        let inString = ConfigFixtures.minimal.replacingOccurrences(
            of: "name = \"mini\"", with: "name = \"mini\"\n# [! a comment\n")
        #expect(try ConfigLoader.parse(toml: inString, path: nil).cluster.name == "mini")

        let multiline = "a = \"\"\"\n[!\n\"\"\"\nb = '''\n  [[ ?\n'''\n"
        #expect(try TOMLParser.parse(multiline)["b"]?.string == "  [[ ?\n")

        // In an array, `[` opens a nested array: '!' is then no value.
        let array = "a = [\n[!\n]\n"
        #expect(throws: TOMLSyntaxError(line: 2, column: 2, message: "expected a value, found '!'")) { try TOMLParser.parse(array) }
        do {
            _ = try ConfigLoader.parse(toml: array, path: "/h.toml")
            Issue.record("an array holding '!' was accepted")
        } catch {
            guard case .syntax(_, 2, 2, _) = error else { Issue.record("not a syntax error on 2:2: \(error)"); return }
        }

        let earlierError = "a = = 1\n[!\n"
        #expect(throws: TOMLSyntaxError(line: 1, column: 5, message: "expected a value, found '='")) { try TOMLParser.parse(earlierError) }
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(toml: earlierError, path: nil) }
    }

    @Test func validHeadersPass() throws {
        _ = try TOMLParser.parse(ConfigFixtures.base)
        let headers = try TOMLParser.parse("[ \"quoted key\" ]\n[[ 'x' ]]\n[-]\n[_]\n[9]\n")
        #expect(headers.keys == ["quoted key", "x", "-", "_", "9"])
        #expect(throws: TOMLSyntaxError(line: 1, column: 2, message: "expected a key in the table header, found end of file")) {
            try TOMLParser.parse("[")
        }
    }

    /// Each refused header names what it found.
    @Test func messagesSayWhatWasFound() {
        #expect(throws: TOMLSyntaxError(line: 1, column: 2, message: "expected a key in the table header, found '!'")) {
            try TOMLParser.parse("[!")
        }
        #expect(throws: TOMLSyntaxError(line: 1, column: 4, message: "expected a key in the table header, found end of line")) {
            try TOMLParser.parse("  [\n")
        }
        #expect(throws: TOMLSyntaxError(line: 1, column: 2, message: "expected a key in the table header, found '\\u{00E9}'")) {
            try TOMLParser.parse("[é]\n")
        }
    }
}
