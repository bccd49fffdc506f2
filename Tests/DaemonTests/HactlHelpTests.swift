import Foundation
import Testing

/// `hactl --help` lists its verbs in groups, in the order the README's hactl section documents
/// (`Hactl.verbs`): an operator finds a verb where the last release had it.
@Suite(.timeLimit(.minutes(1)))
struct HactlHelpTests {
    /// The documented order: group, then its verbs (a new verb goes here, in `Hactl.verbs` and
    /// in the README's sentence).
    static let documented: [(group: String, verbs: [String])] = [
        ("Inspect", ["status", "events", "config", "check-storage"]),
        ("Service", ["enable", "disable", "move", "ban", "clear", "cleanup"]),
        ("Nodes", ["standby", "unstandby", "maintenance", "quorum", "node"]),
        ("Fencing", ["fence"]),
        ("Daemon", ["reload", "keygen"]),
    ]

    /// The groups and verbs of a help text: each `NAME SUBCOMMANDS:` heading, then the first
    /// word of each of its entries (two spaces in; the wrapped abstracts are indented further).
    static func groups(of help: String) -> [(group: String, verbs: [String])] {
        var groups: [(group: String, verbs: [String])] = []
        var inGroup = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if let heading = line.firstMatch(of: /^([A-Z][A-Z ]*) SUBCOMMANDS:$/) {
                groups.append((String(heading.1), []))
                inGroup = true
            } else if line.isEmpty || !line.hasPrefix(" ") {
                inGroup = false
            } else if inGroup, let verb = line.firstMatch(of: /^  ([a-z][a-z-]*)(\s|$)/) {
                groups[groups.count - 1].verbs.append(String(verb.1))
            }
        }
        return groups
    }

    @Test func theVerbsComeInTheDocumentedGroupsAndOrder() throws {
        let result = try DaemonTestCommand.run([DaemonTestPaths.hactlBinary, "--help"])
        #expect(result.status == 0, "\(result)")
        let listed = Self.groups(of: result.stdout)
        #expect(listed.map(\.group) == Self.documented.map { $0.group.uppercased() }, "\(result.stdout)")
        #expect(listed.map(\.verbs) == Self.documented.map(\.verbs), "\(result.stdout)")
        #expect(!result.stdout.contains("lock-probe"), "check-storage's helper is not a verb")
        #expect(!result.stdout.contains("\nSUBCOMMANDS:"), "every verb is in a group")
    }

    /// The README says the same, in one sentence.
    @Test func theReadmeDocumentsThatOrder() throws {
        let readme = try String(contentsOf: DaemonTestPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
            .replacing(/\s+/, with: " ")
        let sentence = Self.documented.map { group in
            "\(group.group) (\(group.verbs.map { "`\($0)`" }.joined(separator: ", ")))"
        }.joined(separator: ", ")
        #expect(readme.contains(sentence), "README's hactl section should list: \(sentence)")
    }
}
