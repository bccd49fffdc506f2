import ClusterHost
import ClusterCore
import FoundationEssentials
import Glibc

/// Runs fence agents from `agent_dir`: checks the file (`AgentExecutable`), builds the
/// stdin options (`AgentInput`), runs it supervised (`AgentProcess`: own process group,
/// closed fds, scrubbed environment, timeout kills the group, bounded output) and
/// redacts secrets from everything it returns or throws.
///
/// Exit codes are reported as they are (`AgentRun.exitCode`); `perform` applies the
/// protocol's meaning (0 success, `status` 0 on / 2 off, anything else a failure).
public struct FenceAgentRunner: Sendable {
    public static let defaultOutputLimit = 64 * 1024
    public static let truncationMarker = "\n[output truncated]"

    public let agentDirectory: String
    /// Bytes kept of each of stdout and stderr.
    public let outputLimit: Int

    public init(agentDirectory: String, outputLimit: Int = FenceAgentRunner.defaultOutputLimit) {
        self.agentDirectory = agentDirectory
        self.outputLimit = outputLimit
    }

    /// Runs `action` of `device` against `node` and returns whatever exit code the agent
    /// gave. Throws when the agent cannot be run safely, is killed, or times out.
    public func run(device: FenceDeviceConfig, action: FenceAction, node: String?, metadata: AgentMetadata?,
                    timeout: Duration) async throws(FenceError) -> AgentRun {
        let executable = try AgentExecutable(agent: device.agent, directory: agentDirectory)
        let password = try readPassword(of: device)
        let input = AgentInput(device: device, action: action, node: node, metadata: metadata, password: password)
        let redactor = Self.redactor(for: device, password: password)
        let process = AgentProcess(path: executable.path, input: input.bytes, timeout: timeout, outputLimit: outputLimit)
        let outcome = try await Self.onOwnThread(process)
        switch outcome.termination {
        case .timedOut:
            throw .timedOut(device: device.name, agent: device.agent, action: action, after: timeout)
        case .signaled(let signal):
            throw .killedBySignal(device: device.name, agent: device.agent, action: action, signal: signal)
        case .exited(let code):
            return AgentRun(
                device: device.name, agent: device.agent, action: action, exitCode: code,
                stdout: Self.text(outcome.stdout, truncated: outcome.stdoutTruncated, redactor: redactor),
                stderr: Self.text(outcome.stderr, truncated: outcome.stderrTruncated, redactor: redactor),
                duration: outcome.duration, pid: outcome.pid)
        }
    }

    /// Runs `action` and applies the exit code semantics: returns the run when it
    /// succeeded (for `status`: exit 0 or 2), throws `.exitStatus` otherwise.
    public func perform(device: FenceDeviceConfig, action: FenceAction, node: String?, metadata: AgentMetadata?,
                        timeout: Duration) async throws(FenceError) -> AgentRun {
        let result = try await self.run(device: device, action: action, node: node, metadata: metadata, timeout: timeout)
        guard result.succeeded else {
            throw .exitStatus(device: device.name, agent: device.agent, action: action, code: result.exitCode,
                              stderrTail: result.stderrTail)
        }
        return result
    }

    /// Runs `action=metadata` (no device contact, no options) and parses the XML.
    public func metadata(agent: String, timeout: Duration = .seconds(10)) async throws(FenceError) -> AgentMetadata {
        let device = FenceDeviceConfig(name: "metadata:\(agent)", agent: agent)
        let run = try await perform(device: device, action: .metadata, node: nil, metadata: nil, timeout: timeout)
        do throws(AgentMetadataParser.ParseError) {
            return try AgentMetadataParser().parse(run.stdout)
        } catch {
            throw .badOutput(device: device.name, agent: agent, action: .metadata, reason: error.description)
        }
    }

    static func redactor(for device: FenceDeviceConfig, password: String?) -> SecretRedactor {
        let secretKeys: Set<String> = ["password", "passwd"]
        let fromOptions = device.options.filter { secretKeys.contains(AgentMetadata.normalized($0.key)) }.map(\.value)
        return SecretRedactor(secrets: fromOptions + (password.map { [$0] } ?? []))
    }

    /// The secret in `password_file` (mode 0600 or stricter, checked by `SecretFile`), without its
    /// trailing newline. Read at every run, so a rotated password needs no restart.
    func readPassword(of device: FenceDeviceConfig) throws(FenceError) -> String? {
        guard let path = device.passwordFile else { return nil }
        let bytes: [UInt8]
        do throws(SecretFileError) {
            bytes = try SecretFile.read(path: path, allowedSize: 1...Self.passwordFileLimit)
        } catch {
            throw .passwordFile(device: device.name, error)
        }
        var secret = String(decoding: bytes, as: UTF8.self)
        while secret.hasSuffix("\n") || secret.hasSuffix("\r") { secret.removeLast() }
        return secret
    }

    static let passwordFileLimit = 4096

    private static func text(_ bytes: [UInt8], truncated: Bool, redactor: SecretRedactor) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return redactor.redact(truncated ? text + truncationMarker : text)
    }

    /// `AgentProcess.run` blocks for up to the timeout: give it a thread of its own
    /// instead of a cooperative-pool thread.
    private static func onOwnThread(_ process: AgentProcess) async throws(FenceError) -> AgentProcess.Outcome {
        let result: Result<AgentProcess.Outcome, FenceError> = await withCheckedContinuation { continuation in
            OSThread.start(name: "fence-agent") {
                do throws(FenceError) {
                    continuation.resume(returning: .success(try process.run()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
