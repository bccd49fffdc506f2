import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// A value read as a date-time whose `T` is followed by no digit (`1979-05-27T:07:32`) once made
/// the parser abort the process on an assertion (found by fuzz/ fuzz-config): the loader reports
/// it as a syntax error with its line and column, and leaves the same characters in strings,
/// comments and keys alone.
@Suite struct ConfigDateTimeSyntaxTests {
    static let refused: [(text: String, line: Int, column: Int)] = [
        // The fuzzer's input.
        ("[cluste-r]\nname =0989-05-27T:0732:00Z \"dss_cluster\"\nkey_filg=\"\0/ etrile =\n", 2, 18),
        ("a = 1979-05-27T:07:32\n", 1, 16),
        ("a = 1979-05-27tx:00", 1, 16),
        ("a = [1979-05-27T:07]\n", 1, 17),
        ("a = [\n  1,\n  1979-05-27T-1:00,\n]\n", 3, 14),
        ("a = { b = 1979-05-27T-1:00 }\n", 1, 22),
        ("\u{FEFF}a = 1979-05-27T:07\n", 1, 16),
        ("a = \"é\" # é\nb = 1979-05-27T:07\n", 2, 16),
        (ConfigFixtures.minimal + "\nx = 2024-01-01T:00\n", 17, 16),
        // Before a line that looks like a table header no key can start (a second fuzzer input).
        ("a = 1979-05-27T:07\n[!\n", 1, 16),
        ("[cluste-r]\nname =0989-05-27T:07K\n[\u{11}\n", 2, 18),
    ]

    @Test(arguments: refused.indices)
    func refusedAsSyntaxError(_ index: Int) {
        let (text, line, column) = Self.refused[index]
        do {
            _ = try ConfigLoader.parse(toml: text, path: "/d.toml")
            Issue.record("accepted: \(text)")
        } catch {
            guard case let .syntax(file, errorLine, errorColumn, message) = error else {
                Issue.record("not a syntax error: \(error)")
                return
            }
            #expect(file == "/d.toml")
            #expect((errorLine, errorColumn) == (line, column), "\(error)")
            #expect(message.hasPrefix("expected the hour of a date-time after "), "\(error)")
            #expect(!message.contains("\n"))
        }
    }

    /// The same characters where they are no value: in strings (also multi-line), comments and
    /// keys, and after an earlier error (which the parser reports first).
    @Test func placesThatAreNoValue() throws {
        let inStrings = "a = \"1979-05-27T:07\"\n# 1979-05-27T:07\nb = '1979-05-27T:x'\nc = \"\"\"\n1979-05-27T:07\n\"\"\"\n1979-05-27Tx = 1\n"
        Self.expectValidTOML(inStrings)
        #expect(try TOMLParser.parse(inStrings).keys == ["a", "b", "c", "1979-05-27Tx"])

        let named = ConfigFixtures.minimal.replacingOccurrences(of: "name = \"mini\"", with: "name = \"mini\" # 2024-01-01T:00")
        #expect(try ConfigLoader.parse(toml: named, path: nil).cluster.name == "mini")

        let earlierError = "a = = 1\nb = 1979-05-27T:07\n"
        do {
            _ = try ConfigLoader.parse(toml: earlierError, path: nil)
            Issue.record("accepted: \(earlierError)")
        } catch {
            guard case let .syntax(_, line, _, _) = error else { Issue.record("not a syntax error: \(error)"); return }
            #expect(line == 1)
        }
    }

    @Test func validDateTimesPass() throws {
        let text = "a = 1979-05-27T07:32:00Z\nb = 1979-05-27t07:32:00.5-07:00\nc = 1979-05-27 07:32:00\nd = 1979-05-27\ne = 07:32:00\n"
        Self.expectValidTOML(text)
        let document = try TOMLParser.parse(text)
        #expect(document.keys.map { document[$0]?.dateTime?.description } == [
            "1979-05-27T07:32:00Z", "1979-05-27T07:32:00.5-07:00", "1979-05-27T07:32:00", "1979-05-27", "07:32:00",
        ])
    }

    /// Valid TOML (no configuration though): the loader gets past the parser.
    static func expectValidTOML(_ text: String) {
        do {
            _ = try ConfigLoader.parse(toml: text, path: nil)
        } catch {
            if case .syntax = error { Issue.record("not valid TOML: \(error)") }
        }
    }
}
