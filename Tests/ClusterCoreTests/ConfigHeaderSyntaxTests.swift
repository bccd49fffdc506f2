import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// A table header whose key starts with a character no key can start with (`[!`) made TOMLKit's
/// parser abort the process on an assertion (found by fuzz/ fuzz-config): the loader now reports
/// it as a syntax error with its line and column, and leaves such lines inside multi-line
/// strings and arrays alone.
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
        #expect(TOMLHeaderCheck.firstUnparsableHeader(in: multiline) == nil)

        let array = "a = [\n[!\n]\n"
        #expect(TOMLHeaderCheck.firstUnparsableHeader(in: array) == nil)
        do {
            _ = try ConfigLoader.parse(toml: array, path: "/h.toml")
            Issue.record("an array holding '!' was accepted")
        } catch {
            guard case .syntax = error else { Issue.record("not a syntax error: \(error)"); return }
        }

        let earlierError = "a = = 1\n[!\n"
        #expect(TOMLHeaderCheck.firstUnparsableHeader(in: earlierError) == nil)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(toml: earlierError, path: nil) }
    }

    @Test func validHeadersPass() throws {
        #expect(TOMLHeaderCheck.firstUnparsableHeader(in: ConfigFixtures.base) == nil)
        #expect(TOMLHeaderCheck.firstUnparsableHeader(in: "[ \"quoted key\" ]\n[[ 'x' ]]\n[-]\n[_]\n[9]\n") == nil)
        #expect(TOMLHeaderCheck.firstUnparsableHeader(in: "[") == nil)   // toml++ refuses it itself
    }
}
