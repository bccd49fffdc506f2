import ClusterHost
import ClusterCore
import Dispatch
import Fencing
import FoundationEssentials
import Synchronization

/// The one place hactl calls the configuration loader (`ConfigLoader.load(path:checkFiles:)`),
/// so `hactl config check` accepts and refuses exactly what the daemon does.
enum ConfigAdapter {
    struct Loaded {
        var config: ClusterConfig
        /// Allowed but risky settings, one line each.
        var warnings: [String]
    }

    /// Throws a message naming the file, key and line (exit status 2).
    static func load(path: String, checkFiles: Bool) throws(HactlFailure) -> Loaded {
        do {
            let config = try ConfigLoader.load(path: path, checkFiles: checkFiles)
            return Loaded(config: config, warnings: ConfigLoader.warnings(for: config).map(\.description))
        } catch {
            throw .configuration(error.description)
        }
    }

    /// `config check` with files: each fence device's options against its agent's metadata
    /// (runs `AGENT -o metadata` once per agent). Empty when fencing is disabled.
    static func fenceDeviceProblems(_ config: ClusterConfig, path: String) -> [String] {
        guard config.fencing.enabled, !config.fencing.devices.isEmpty else { return [] }
        let result = ProblemsBox()
        let done = DispatchSemaphore(value: 0)
        let fencing = config.fencing
        Task {
            result.set(await FenceDeviceValidator().problems(of: fencing).map { "\(path): \($0)" })
            done.signal()
        }
        done.wait()
        return result.get()
    }
}

/// Hands the validator's answer from its task back to the blocked command.
private final class ProblemsBox: Sendable {
    private let value = Mutex<[String]>([])

    func set(_ problems: [String]) { value.withLock { $0 = problems } }
    func get() -> [String] { value.withLock { $0 } }
}
