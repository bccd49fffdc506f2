import ClusterCore
import Foundation
import Testing

/// `haclusterd --version` and `hactl --version` of the built binaries: the release and the
/// commit they were built from (`3f2dac3b1e2a`, `3f2dac3b1e2a-dirty`), written by the
/// BuildCommit plugin; `commit unknown` for a build outside git (a source tarball).
@Suite(.serialized, .timeLimit(.minutes(1)))
struct BinaryVersionTests {
    /// The commit field the binaries must print for this checkout: 12 hex digits, maybe
    /// `-dirty`, when the package is a git work tree; `unknown` otherwise.
    private static let commitPattern: String = {
        let git = DaemonTestPaths.packageRoot.appendingPathComponent(".git").path
        return FileManager.default.fileExists(atPath: git) ? "[0-9a-f]{12}(-dirty)?" : "unknown"
    }()

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: ".", with: "\\.")
    }

    @Test func haclusterdPrintsItsReleaseAndCommit() throws {
        let result = try DaemonTestCommand.run([DaemonTestPaths.daemonBinary, "--version"])
        #expect(result.status == 0, "\(result)")
        let pattern = "^haclusterd \(Self.escaped(ProductVersion.current)) \\(commit \(Self.commitPattern)\\)\n$"
        #expect(result.stdout.firstMatch(of: try Regex(pattern)) != nil, "\(result.stdout)")
    }

    @Test func hactlPrintsItsReleaseCommitAndControlProtocol() throws {
        let result = try DaemonTestCommand.run([DaemonTestPaths.hactlBinary, "--version"])
        #expect(result.status == 0, "\(result)")
        let pattern = "^hactl \(Self.escaped(ProductVersion.current)) \\(commit \(Self.commitPattern), control protocol \(ControlProtocol.version)\\)\n$"
        #expect(result.stdout.firstMatch(of: try Regex(pattern)) != nil, "\(result.stdout)")
    }

    /// Both binaries name the same commit, and it is the checkout's HEAD: a commit changes what
    /// they print (a binary built before the last commit fails here: rebuild).
    @Test func bothNameTheCheckoutsHead() throws {
        let daemon = try DaemonTestCommand.run([DaemonTestPaths.daemonBinary, "--version"]).stdout
        let hactl = try DaemonTestCommand.run([DaemonTestPaths.hactlBinary, "--version"]).stdout
        let commit = { (line: String) in line.firstMatch(of: /\(commit ([^,)]+)/).map { String($0.1) } }
        #expect(commit(daemon) != nil && commit(daemon) == commit(hactl), "\(daemon) / \(hactl)")
        guard Self.commitPattern != "unknown" else { return }
        let head = try DaemonTestCommand.run(["/usr/bin/git", "-C", DaemonTestPaths.packageRoot.path, "rev-parse", "--short=12", "HEAD"])
        #expect(head.status == 0, "\(head)")
        let hash = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(commit(daemon)?.hasPrefix(hash) == true, "built from \(commit(daemon) ?? "?"), HEAD is \(hash): rebuild")
    }
}
