import ClusterHost
import ClusterCore

/// Why a fence agent run (or a whole fencing operation) failed, with the
/// context an operator needs: the device, the agent and what was expected.
///
/// Messages never contain secrets: captured agent output is redacted before it
/// is stored in an error (see `SecretRedactor`).
public enum FenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The agent name is not a plain `fence_*` file name (no `/`, no `..`).
    case invalidAgentName(agent: String)
    /// No such executable in `agent_dir`.
    case agentNotFound(agent: String, directory: String)
    /// The agent file (or its directory) could be replaced by someone other than root.
    case unsafeAgent(path: String, reason: String)
    /// The agent did not finish within the timeout; its whole process group was killed.
    case timedOut(device: String, agent: String, action: FenceAction, after: Duration)
    /// The agent exited with a status that means failure for this action.
    case exitStatus(device: String, agent: String, action: FenceAction, code: Int32, stderrTail: String)
    /// The agent was killed by a signal it did not get from us.
    case killedBySignal(device: String, agent: String, action: FenceAction, signal: Int32)
    /// The agent's output could not be understood (e.g. metadata that is not the expected XML).
    case badOutput(device: String, agent: String, action: FenceAction, reason: String)
    /// The agent does not advertise the action (e.g. `status` on fence_kdump).
    case unsupportedAction(device: String, agent: String, action: FenceAction)
    /// `status` after `off`/`reboot` did not show the expected power state.
    case notConfirmed(device: String, agent: String, expected: String, got: String)
    /// `password_file` is missing, unreadable, empty or readable by group/other.
    case passwordFile(device: String, SecretFileError)
    /// The agent could not be started at all.
    case spawnFailed(agent: String, call: String, errno: Int32)
    /// No device is configured to fence the node.
    case noDeviceForNode(node: String)
    /// The storage fence (`agent = "storage"`) could not write or check its poison pill.
    case storage(device: String, reason: String)

    public var description: String {
        switch self {
        case .invalidAgentName(let agent):
            return "invalid fence agent name '\(agent)': expected a file name starting with 'fence_' (no '/' or '..')"
        case .agentNotFound(let agent, let directory):
            return "fence agent '\(agent)' not found in \(directory)"
        case .unsafeAgent(let path, let reason):
            return "refusing to run fence agent \(path): \(reason)"
        case .timedOut(let device, let agent, let action, let after):
            return "device \(device) (\(agent)): '\(action.rawValue)' timed out after \(after.fenceDescription); process group killed"
        case .exitStatus(let device, let agent, let action, let code, let stderrTail):
            let tail = stderrTail.isEmpty ? "" : ": \(stderrTail)"
            return "device \(device) (\(agent)): '\(action.rawValue)' failed with exit status \(code)\(tail)"
        case .killedBySignal(let device, let agent, let action, let signal):
            return "device \(device) (\(agent)): '\(action.rawValue)' killed by signal \(signal)"
        case .badOutput(let device, let agent, let action, let reason):
            return "device \(device) (\(agent)): unexpected output from '\(action.rawValue)': \(reason)"
        case .unsupportedAction(let device, let agent, let action):
            return "device \(device) (\(agent)): the agent does not support '\(action.rawValue)'"
        case .notConfirmed(let device, let agent, let expected, let got):
            return "device \(device) (\(agent)): status after fencing is \(got), expected \(expected)"
        case .passwordFile(let device, let error):
            return "device \(device): password_file: \(error)"
        case .spawnFailed(let agent, let call, let errno):
            return "cannot start fence agent \(agent): \(call) failed with errno \(errno)"
        case .noDeviceForNode(let node):
            return "no fence device covers node \(node)"
        case .storage(let device, let reason):
            return "device \(device) (storage): \(reason)"
        }
    }
}

extension Duration {
    /// `1.5s`, `200ms`: how durations appear in fencing messages.
    var fenceDescription: String {
        let ms = wholeMilliseconds
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        if ms >= 1000 { return "\(ms / 1000).\(ms % 1000 / 100)s" }
        return "\(ms)ms"
    }
}
