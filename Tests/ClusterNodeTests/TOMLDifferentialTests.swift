import ControlTestSupport
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// Our TOML parser against an independent implementation, Python 3.11's `tomllib`: on each
/// document both must refuse it, or both accept it with the same values (compared in the
/// toml-test tagged JSON form, `TOMLTaggedJSON`). The documents are the committed cases in
/// `TOMLCases/` (`valid-*` must be accepted, `invalid-*` refused, by both) and a few hundred
/// random ones from a seeded generator (`TOMLDocumentGenerator`).
@Suite struct TOMLDifferentialTests {
    static let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TOMLCases")
    static let python = "/usr/bin/python3"
    static let generatedCount = 400

    /// Prints one line per file named on the command line: the tagged JSON of `tomllib.loads`,
    /// or `ERROR`. tomllib reads integers of any size; TOML requires 64 bits, so a larger one
    /// counts as a refusal. A leading byte order mark is dropped, as our parser does.
    static let script = #"""
        import datetime, json, struct, sys, tomllib

        def two(n):
            return f"{n:02d}"

        def time_text(t):
            text = f"{two(t.hour)}:{two(t.minute)}:{two(t.second)}"
            return text + (f".{t.microsecond:06d}" if t.microsecond else "")

        def tag(v):
            if isinstance(v, bool):
                return {"type": "bool", "value": "true" if v else "false"}
            if isinstance(v, int):
                if not -2**63 <= v < 2**63:
                    raise OverflowError(v)
                return {"type": "integer", "value": str(v)}
            if isinstance(v, float):
                return {"type": "float", "value": "nan" if v != v else struct.pack(">d", v).hex()}
            if isinstance(v, str):
                return {"type": "string", "value": v}
            if isinstance(v, datetime.datetime):
                text = f"{v.year:04d}-{two(v.month)}-{two(v.day)}T{time_text(v)}"
                if v.tzinfo is None:
                    return {"type": "datetime-local", "value": text}
                minutes = int(v.utcoffset().total_seconds()) // 60
                sign = "-" if minutes < 0 else "+"
                return {"type": "datetime", "value": f"{text}{sign}{two(abs(minutes) // 60)}:{two(abs(minutes) % 60)}"}
            if isinstance(v, datetime.date):
                return {"type": "date-local", "value": f"{v.year:04d}-{two(v.month)}-{two(v.day)}"}
            if isinstance(v, datetime.time):
                return {"type": "time-local", "value": time_text(v)}
            if isinstance(v, list):
                return [tag(x) for x in v]
            return {k: tag(x) for k, x in v.items()}

        for path in sys.argv[1:]:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")
            try:
                out = json.dumps(tag(tomllib.loads(text.removeprefix("\ufeff"))), sort_keys=True, separators=(",", ":"))
            except Exception:
                out = "ERROR"
            print(out)
        """#

    /// Ours, in the same form.
    static func ours(_ text: String) -> String {
        guard let table = try? TOMLParser.parse(text), let json = try? TOMLTaggedJSON.encode(table) else { return "ERROR" }
        return json
    }

    /// Runs the script on `files`; one result per file.
    static func tomllib(_ files: [String]) throws -> [String] {
        let result = try runProcess([python] + ["-c", script] + files, timeout: .seconds(120))
        #expect(result.status == 0, "python3 failed: \(result.stderr)")
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Names each document whose results differ, with both results.
    static func compare(_ documents: [(name: String, path: String, text: String)]) throws -> (mismatches: [String], results: [String: String]) {
        let theirs = try tomllib(documents.map(\.path))
        try #require(theirs.count == documents.count, "tomllib gave \(theirs.count) results for \(documents.count) documents")
        var mismatches: [String] = []
        var results: [String: String] = [:]
        for (document, their) in zip(documents, theirs) {
            let our = ours(document.text)
            results[document.name] = our
            if our != their {
                mismatches.append("\(document.name): \(String(reflecting: document.text).prefix(300))\n  ours:    \(our.prefix(400))\n  tomllib: \(their.prefix(400))")
            }
        }
        return (mismatches, results)
    }

    @Test func committedCasesAgreeWithTomllib() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "python3 (3.11, with tomllib) is needed: scripts/packages/test.list")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.cases.path).filter { $0.hasSuffix(".toml") }.sorted()
        try #require(names.count >= 100)
        let documents = try names.map { name in
            let path = Self.cases.appendingPathComponent(name).path
            return (name: name, path: path, text: String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
        }
        let (mismatches, results) = try Self.compare(documents)
        #expect(mismatches.isEmpty, "\(mismatches.count) documents read differently:\n\(mismatches.joined(separator: "\n"))")
        // The cases say what they are: check that both sides did not just agree on refusing everything.
        for name in names {
            if name.hasPrefix("valid-") { #expect(results[name] != "ERROR", "\(name) refused") }
            if name.hasPrefix("invalid-") { #expect(results[name] == "ERROR", "\(name) accepted") }
        }
    }

    @Test func generatedDocumentsAgreeWithTomllib() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "python3 (3.11, with tomllib) is needed: scripts/packages/test.list")
        let dir = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var generator = TOMLDocumentGenerator(seed: 20_261_206)
        var documents: [(name: String, path: String, text: String)] = []
        for index in 0..<Self.generatedCount {
            let text = generator.document()
            let path = dir.appendingPathComponent("generated-\(index).toml").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            documents.append((name: "generated-\(index)", path: path, text: text))
        }
        let (mismatches, results) = try Self.compare(documents)
        #expect(mismatches.isEmpty, "\(mismatches.count) documents read differently:\n\(mismatches.joined(separator: "\n"))")
        // Both kinds must be well represented for the comparison to mean something.
        let accepted = results.values.filter { $0 != "ERROR" }.count
        #expect(accepted >= Self.generatedCount / 4, "only \(accepted) of \(Self.generatedCount) generated documents are valid")
        #expect(Self.generatedCount - accepted >= Self.generatedCount / 10, "only \(Self.generatedCount - accepted) generated documents are invalid")
    }
}
