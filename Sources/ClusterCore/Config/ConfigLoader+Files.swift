#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pass 3 (`checkFiles`): the files the configuration names, as this machine sees them.
extension ConfigLoader {
    static func validateFiles(_ config: ClusterConfig, _ diagnostics: ConfigDiagnostics) {
        do {
            _ = try ClusterKey.load(path: config.cluster.keyFile)
        } catch {
            diagnostics.report(.secretFile(diagnostics.location("cluster.key_file"), error))
        }

        guard config.fencing.enabled else { return }
        for (index, device) in config.fencing.devices.enumerated() {
            let path = "fencing.device[\(index)]"
            if let passwordFile = device.passwordFile {
                do {
                    try SecretFile.check(path: passwordFile)
                } catch {
                    diagnostics.report(.secretFile(diagnostics.location("\(path).password_file"), error))
                }
            }
            let agentPath = config.fencing.agentDir.hasSuffix("/")
                ? config.fencing.agentDir + device.agent : config.fencing.agentDir + "/" + device.agent
            if !isExecutableFile(agentPath) {
                diagnostics.report(.fenceAgentNotExecutable(diagnostics.location("\(path).agent"), path: agentPath))
            } else if let mode = permissionBits(agentPath), mode & 0o022 != 0 {
                // The agent runs as root and receives the device password.
                diagnostics.report(.writableByOthers(diagnostics.location("\(path).agent"), path: agentPath, mode: mode))
            }
        }
    }

    /// The permission bits of `path` (following symlinks), nil if it cannot be examined.
    static func permissionBits(_ path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode) & 0o7777
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
