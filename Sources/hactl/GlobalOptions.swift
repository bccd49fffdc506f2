import ClusterHost
import ArgumentParser
import ClusterCore

/// Options every command accepts (before or after the command name).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Control socket of the local haclusterd.",
        discussion: "Default: control_socket from the configuration file, else /run/hacluster/control.sock.",
        valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("Configuration file.", valueName: "path"))
    var config: String = HactlConfig.defaultPath

    @Flag(name: .long, help: "Print one JSON object (stable keys, for scripts) instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp(
        "How long to wait for the daemon's answer (e.g. 30s, 2min).",
        discussion: "Default: 10s for status and events, 2min for changes, 10min for fence.",
        valueName: "duration"))
    var timeout: String?

    func validate() throws {
        if let timeout {
            do {
                _ = try DurationText.parse(timeout)
            } catch {
                throw ValidationError("--timeout: \(error)")
            }
        }
    }

    /// The socket path: --socket, else the configuration's control_socket, else the spec default.
    var socketPath: String {
        socket ?? HactlConfig.controlSocket(configPath: config) ?? ClusterSettings.defaultControlSocket
    }

    func client(defaultTimeout: Duration) -> ControlClient {
        let limit = timeout.flatMap { try? DurationText.parse($0) } ?? defaultTimeout
        return ControlClient(socketPath: socketPath, timeout: limit)
    }

    /// Sends `request` and returns the result, or throws the failure with its exit status.
    func send(_ request: ControlRequest, defaultTimeout: Duration = .seconds(10)) throws(HactlFailure) -> ControlResult {
        let response: ControlResponse
        do {
            response = try client(defaultTimeout: defaultTimeout).send(request)
        } catch {
            throw .client(error)
        }
        switch response {
        case let .result(result): return result
        case let .error(error): throw .control(error)
        }
    }

    /// Checks a node name against the configuration when it can be read (exit 2 on a typo).
    func validateNode(_ name: String) throws(HactlFailure) {
        guard let nodes = HactlConfig.nodeNames(configPath: config), !nodes.isEmpty else { return }
        guard nodes.contains(name) else {
            throw .usage("no node named '\(name)' in \(config); configured nodes: \(nodes.joined(separator: ", "))")
        }
    }
}
