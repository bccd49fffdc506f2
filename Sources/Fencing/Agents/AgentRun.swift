/// The result of one agent run that exited on its own (timeouts and signals are
/// `FenceError`s). Output is already redacted and bounded.
public struct AgentRun: Sendable, Equatable {
    public var device: String
    public var agent: String
    public var action: FenceAction
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    public var duration: Duration
    /// The agent's PID (its process group id too), for tests and debugging.
    public var pid: Int32

    public init(device: String, agent: String, action: FenceAction, exitCode: Int32, stdout: String, stderr: String,
                duration: Duration, pid: Int32) {
        self.device = device
        self.agent = agent
        self.action = action
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
        self.pid = pid
    }

    /// `status`: 0 = on, 2 = off, other = unknown.
    public var powerStatus: PowerStatus { PowerStatus(statusExitCode: exitCode) }

    /// Exit code semantics of the protocol: 0 is success; for `status`, 2 (off) is an answer too.
    public var succeeded: Bool {
        exitCode == 0 || (action == .status && exitCode == 2)
    }

    /// The last lines of stderr, for error messages (already redacted).
    public var stderrTail: String {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.contains("DeprecationWarning") && !$0.contains("from pipes import") }
        return lines.suffix(3).joined(separator: " | ")
    }
}
