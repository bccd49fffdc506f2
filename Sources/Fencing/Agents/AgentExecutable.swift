import Glibc

/// A fence agent file that is safe to run as root: found in `agent_dir` by a plain
/// `fence_*` name, a regular executable owned by root and writable by nobody else,
/// in a directory that only root can change (the same rule keepalived applies to its scripts).
public struct AgentExecutable: Sendable, Equatable {
    public let agent: String
    /// The path that is executed (symlinks resolved, e.g. `fence_ilo3` -> `fence_ipmilan`).
    public let path: String

    /// Resolves and checks `agent` in `directory`. Throws `.invalidAgentName`,
    /// `.agentNotFound` or `.unsafeAgent(path:reason:)`.
    public init(agent: String, directory: String) throws(FenceError) {
        guard Self.isPlainAgentName(agent) else { throw .invalidAgentName(agent: agent) }
        let candidate = directory.hasSuffix("/") ? directory + agent : directory + "/" + agent
        guard access(candidate, F_OK) == 0 else { throw .agentNotFound(agent: agent, directory: directory) }
        guard let resolved = realpath(candidate, nil) else {
            throw .agentNotFound(agent: agent, directory: directory)
        }
        let path = String(cString: resolved)
        free(resolved)

        try Self.checkOwnedByRootOnly(path, what: "agent", requireExecutable: true)
        try Self.checkOwnedByRootOnly(Self.parent(of: path), what: "directory", requireExecutable: false)
        if Self.parent(of: path) != directory {
            try Self.checkOwnedByRootOnly(directory, what: "agent_dir", requireExecutable: false)
        }
        self.agent = agent
        self.path = path
    }

    static func isPlainAgentName(_ name: String) -> Bool {
        name.hasPrefix("fence_") && name.count > "fence_".count && !name.contains("/") && !name.contains("..")
            && !name.contains("\0") && name.allSatisfy { !$0.isWhitespace }
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    private static func checkOwnedByRootOnly(_ path: String, what: String, requireExecutable: Bool) throws(FenceError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unsafeAgent(path: path, reason: "cannot stat the \(what): errno \(errno)")
        }
        let type = info.st_mode & S_IFMT
        if requireExecutable {
            guard type == S_IFREG else { throw .unsafeAgent(path: path, reason: "not a regular file") }
            guard info.st_mode & 0o111 != 0 else { throw .unsafeAgent(path: path, reason: "not executable") }
        }
        guard info.st_uid == 0 else {
            throw .unsafeAgent(path: path, reason: "the \(what) is owned by uid \(info.st_uid), expected root")
        }
        // A sticky shared directory (like /tmp) is still writable by others: refuse it too.
        guard info.st_mode & 0o022 == 0 else {
            let mode = String(info.st_mode & 0o7777, radix: 8)
            throw .unsafeAgent(path: path, reason: "the \(what) is writable by group or others (mode \(mode))")
        }
    }
}
