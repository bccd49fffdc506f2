/// What a binary knows about its own build: the commit of the tree it was built from,
/// recorded before each build by the `BuildCommit` plugin (`GeneratedCommit.swift`).
///
/// A target of its own, used by the executables only: a new commit recompiles this one file
/// and relinks `haclusterd` and `hactl`, and nothing else (ClusterCore and the fuzz package
/// never see it).
public enum BuildInfo {
    /// `3f2dac3b1e2a` (12 hex digits), `3f2dac3b1e2a-dirty` when tracked files had uncommitted
    /// changes, nil when built outside a git checkout (a source tarball).
    public static let commit: String? = generatedCommit

    /// `hactl 0.9.0 (commit 3f2dac3b1e2a, control protocol 1)`: the `--version` line.
    /// `details` follow the commit inside the parentheses.
    public static func versionLine(program: String, release: String, details: [String] = []) -> String {
        let parts = ["commit \(commit ?? "unknown")"] + details
        return "\(program) \(release) (\(parts.joined(separator: ", ")))"
    }
}
