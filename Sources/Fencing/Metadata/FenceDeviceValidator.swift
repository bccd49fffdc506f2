import ClusterHost
import ClusterCore

/// Checks `[[fencing.device]]` entries against their agents' metadata, for
/// `hactl config check` and daemon start: options the agent does not declare are
/// rejected (fencing.py would ignore them with a warning, and a typo in `ip` would
/// only show when fencing is needed), required options must be present.
///
/// Supplied by haclusterd rather than by `options`, so they count as present:
/// `action` (always sent), `nodename` and the host argument `port`/`plug` (from
/// `nodes`/`host_map`), `password`/`passwd` when `password_file` is set (or
/// `password_script` is given).
public struct FenceDeviceValidator: Sendable {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownOption(device: String, agent: String, option: String)
        case missingRequired(device: String, agent: String, option: String)
        /// `action` and friends belong to `[fencing]`, not to a device.
        case reservedOption(device: String, option: String, use: String)
        case invalidValue(device: String, option: String, reason: String)
        /// The agent could not be found, is unsafe, or its metadata could not be read.
        case agentUnusable(device: String, error: FenceError)

        public var description: String {
            switch self {
            case .unknownOption(let device, let agent, let option):
                return "fencing.device '\(device)': option '\(option)' is not a parameter of \(agent) (see `\(agent) -o metadata`)"
            case .missingRequired(let device, let agent, let option):
                return "fencing.device '\(device)': \(agent) requires option '\(option)'"
            case .reservedOption(let device, let option, let use):
                return "fencing.device '\(device)': option '\(option)' is set by haclusterd; use \(use)"
            case .invalidValue(let device, let option, let reason):
                return "fencing.device '\(device)': option '\(option)': \(reason)"
            case .agentUnusable(let device, let error):
                return "fencing.device '\(device)': \(error)"
            }
        }
    }

    public init() {}

    /// Problems of one device, given its agent's metadata. Pure.
    public func problems(of device: FenceDeviceConfig, metadata: AgentMetadata) -> [Problem] {
        var problems: [Problem] = []
        var present: Set<String> = ["action", "nodename", "port", "plug"]
        for key in device.options.keys.sorted() {
            let normalized = AgentMetadata.normalized(key)
            if normalized == "action" {
                problems.append(.reservedOption(device: device.name, option: key, use: "[fencing] action"))
                continue
            }
            if metadata.parameter(named: key) == nil {
                problems.append(.unknownOption(device: device.name, agent: device.agent, option: key))
                continue
            }
            if let value = device.options[key], value.contains("\n") || value.contains("\r") {
                problems.append(.invalidValue(device: device.name, option: key,
                                              reason: "must be one line (agents read key=value lines)"))
            }
            present.formUnion(metadata.aliases(of: key))
        }
        if device.passwordFile != nil || present.contains("password_script") || present.contains("passwd_script") {
            if metadata.parameter(named: "password") == nil && metadata.parameter(named: "passwd") == nil {
                if device.passwordFile != nil {
                    problems.append(.unknownOption(device: device.name, agent: device.agent,
                                                   option: "password (from password_file)"))
                }
            }
            present.formUnion(["password", "passwd"])
        }
        if present.contains("port_as_ip") { present.formUnion(["ip", "ipaddr"]) }
        for parameter in metadata.parameters where parameter.required {
            let names = metadata.aliases(of: parameter.name)
            if names.isDisjoint(with: present) {
                // Report the current name, not the deprecated spelling.
                if parameter.deprecated, metadata.parameters.contains(where: { $0.obsoletes == parameter.name }) { continue }
                problems.append(.missingRequired(device: device.name, agent: device.agent, option: parameter.name))
            }
        }
        return problems
    }

    /// Problems of every configured device, running each agent's `metadata` once from `agent_dir`
    /// (what `hactl config check` calls).
    public func problems(of fencing: FencingConfig) async -> [Problem] {
        await problems(of: fencing, cache: AgentMetadataCache(runner: FenceAgentRunner(agentDirectory: fencing.agentDir)))
    }

    /// Problems of every configured device; metadata comes from `cache` (one agent run per agent).
    public func problems(of fencing: FencingConfig, cache: AgentMetadataCache) async -> [Problem] {
        var problems: [Problem] = []
        // The built-in storage fence has no agent metadata; the config rules check its one option.
        for device in fencing.devices where !device.isStorage {
            do throws(FenceError) {
                let metadata = try await cache.metadata(for: device.agent)
                problems += self.problems(of: device, metadata: metadata)
            } catch {
                problems.append(.agentUnusable(device: device.name, error: error))
            }
        }
        return problems
    }
}
