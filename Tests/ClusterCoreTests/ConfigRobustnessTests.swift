import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// Every key of the example replaced by values of every TOML type: the loader never crashes, and
/// every error it reports names the file and a key (or is a TOML syntax error with a line).
@Suite struct ConfigRobustnessTests {
    static let replacements = [
        "\"\"", "\"x\"", "\"10 minutes\"", "0", "-1", "99999999999", "1.5", "true", "[]", "[1, 2]", "[\"a\", \"a\"]",
        "{}", "{ a = 1 }", "2026-11-21T10:00:00Z", "\"/\"", "\"dss1\"",
    ]

    @Test func everyKeyWithEveryKindOfValue() throws {
        let example = try String(contentsOfFile: ConfigFixtures.examplePath, encoding: .utf8)
        let lines = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let keyLines = lines.indices.filter { i in
            let line = lines[i]
            return !line.hasPrefix("#") && !line.hasPrefix("[") && line.contains(" = ")
        }
        #expect(keyLines.count >= 50)
        var rejected = 0, accepted = 0
        for index in keyLines {
            let key = lines[index].prefix { $0 != "=" }
            for value in Self.replacements {
                var edited = lines
                edited[index] = "\(key)= \(value)"
                let text = edited.joined(separator: "\n")
                do {
                    _ = try ConfigLoader.parse(toml: text, path: "/r.toml")
                    accepted += 1
                } catch {
                    rejected += 1
                    for single in error.errors {
                        let message = single.description
                        #expect(message.hasPrefix("/r.toml"), "\(message)")
                        #expect(!message.contains("\n"))
                        if case .syntax = single { continue }
                        #expect(single.keyPath?.isEmpty == false, "\(message)")
                    }
                }
            }
        }
        // Most replacements are mistakes; some are fine (a name "x", a port 0 is not).
        #expect(rejected > accepted)
        #expect(accepted > 0)
    }

    /// Deleting any one line of the example never crashes either.
    @Test func everyLineDeleted() throws {
        let example = try String(contentsOfFile: ConfigFixtures.examplePath, encoding: .utf8)
        let lines = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices where !lines[index].hasPrefix("#") && !lines[index].isEmpty {
            var edited = lines
            edited.remove(at: index)
            do {
                _ = try ConfigLoader.parse(toml: edited.joined(separator: "\n"), path: "/r.toml")
            } catch {
                #expect(error.errors.allSatisfy { $0.description.hasPrefix("/r.toml") })
            }
        }
    }
}
