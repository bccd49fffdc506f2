import ClusterCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the configuration file, and pass 3 (`checkFiles`): the files the configuration
/// names, as this machine sees them.
extension ConfigLoader {
    /// Reads, parses and validates the configuration file at `path`.
    /// - Parameter checkFiles: also check, as this machine sees them, the files it names (key file,
    ///   password files, fence agents) and that the configuration file itself is not writable by
    ///   group or others. Off for checking a file meant for another machine.
    public static func load(path: String = defaultPath, checkFiles: Bool = true) throws(ConfigError) -> ClusterConfig {
        let (text, mode) = try readFile(path)
        return try parse(toml: text, path: path, fileMode: mode, fileCheck: checkFiles ? { validateFiles($0, $1) } : nil)
    }

    /// Parses configuration text; with `checkFiles`, also checks the files it names.
    public static func parse(toml: String, path: String?, checkFiles: Bool) throws(ConfigError) -> ClusterConfig {
        try parse(toml: toml, path: path, fileMode: nil, fileCheck: checkFiles ? { validateFiles($0, $1) } : nil)
    }


    static func validateFiles(_ config: ClusterConfig, _ diagnostics: ConfigDiagnostics) {
        // The configuration chooses programs run as root: only root may change it (its mode is checked when parsed).
        if let path = config.sourcePath, let problem = FileTrust.problem(path: path, checkMode: false) {
            diagnostics.report(.untrustedFile(ConfigLocation(file: path, keyPath: ""), reason: problem))
        }
        do {
            _ = try ClusterKey.load(path: config.cluster.keyFile)
        } catch {
            diagnostics.report(.secretFile(diagnostics.location("cluster.key_file"), error))
        }

        if let caFile = config.service.healthCAFile, config.service.healthTLSVerify,
           let url = config.service.healthURL, url.hasPrefix("https://") {
            do {
                _ = try HealthProbe(parsing: url, caFile: caFile)
            } catch {
                diagnostics.report(.invalidValue(
                    diagnostics.location("service.health_ca_file"), value: caFile,
                    expected: "a readable PEM file of CA certificates (\(error))"))
            }
        }

        // Alert programs run as root with what happened in their environment.
        for (index, alert) in config.alerts.enumerated() {
            let location = diagnostics.location("alert[\(index)].command")
            if !isExecutableFile(alert.command) {
                diagnostics.report(.invalidValue(location, value: alert.command, expected: "an executable file (chmod 755, owned by root)"))
            } else if let problem = FileTrust.problem(path: alert.command) {
                diagnostics.report(.untrustedFile(location, reason: problem))
            }
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
            // The storage fence is built in: no program to check.
            if device.isStorage { continue }
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

extension ConfigLoader {
    // MARK: - Reading the file

    /// The file's text and permission bits.
    static func readFile(_ path: String) throws(ConfigError) -> (String, UInt32) {
        let fd = Syscall.retryingEINTR { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        guard fd >= 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(file: path, reason: String(cString: strerror((info.st_mode & S_IFMT) == S_IFDIR ? EISDIR : EINVAL)))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = Syscall.retryingEINTR { chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            guard n >= 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk.prefix(n))
            guard bytes.count <= maximumFileSize else { throw .unreadable(file: path, reason: String(cString: strerror(EFBIG))) }
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, UInt32(info.st_mode) & 0o7777) }
        // Name the first line that is not UTF-8.
        var line = 1
        for lineBytes in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(validating: lineBytes, as: UTF8.self) == nil { break }
            line += 1
        }
        throw .syntax(file: path, line: line, column: 1, message: "the file is not UTF-8 text")
    }
}
