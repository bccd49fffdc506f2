import ClusterHost
import ClusterCore

/// The `key=value` lines a fence agent reads on stdin, built like Pacemaker's
/// `make_args` (st_actions.c):
///
/// 1. `action=<action>` first, always (a missing action means `reboot` to the agent);
/// 2. for actions with a target: `nodename=<node>` and the host argument
///    (`port` if the agent's metadata lists `port`, else `plug` if it lists `plug`,
///    else `port`) set to the node's `host_map` entry or the node name, unless the
///    device options set that parameter (or an alias of it) themselves;
/// 3. the device's `options` (sorted by key; `action` is never taken from options);
/// 4. `password=<contents of password_file>` last, when a password file is configured.
///
/// Values cannot contain newlines (the protocol has no escaping): such an option is
/// rejected by `FenceDeviceValidator`, and dropped here rather than split into two lines.
public struct AgentInput: Sendable, Equatable {
    public private(set) var lines: [(key: String, value: String)] = []

    public init(device: FenceDeviceConfig, action: FenceAction, node: String?, metadata: AgentMetadata?, password: String?) {
        lines.append(("action", action.rawValue))
        let explicit = Set(device.options.keys.map(AgentMetadata.normalized))
        if action.hasTarget, let node {
            if !explicit.contains("nodename") { lines.append(("nodename", node)) }
            let hostArgument = metadata?.hostArgument ?? "port"
            let aliases = metadata?.aliases(of: hostArgument) ?? [hostArgument]
            let hostAliases = aliases.union(["port", "plug"])
            if explicit.isDisjoint(with: hostAliases) {
                lines.append((hostArgument, device.port(for: node)))
            }
        }
        for key in device.options.keys.sorted() where AgentMetadata.normalized(key) != "action" {
            lines.append((key, device.options[key]!))
        }
        if let password {
            lines.append(("password", password))
        }
        lines.removeAll { $0.key.contains("\n") || $0.value.contains("\n") || $0.key.contains("=") }
    }

    /// What is written to the agent's stdin.
    public var bytes: [UInt8] {
        Array(lines.map { "\($0.key)=\($0.value)\n" }.joined().utf8)
    }

    /// Keys only, for logs and events: values may be secrets.
    public var keys: [String] { lines.map(\.key) }

    public static func == (lhs: AgentInput, rhs: AgentInput) -> Bool {
        lhs.lines.elementsEqual(rhs.lines) { $0.key == $1.key && $0.value == $1.value }
    }
}
