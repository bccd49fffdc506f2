#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TOMLKit

/// Reads and validates `haclusterd.toml`. `haclusterd --check-config`, `hactl config check` and the
/// daemon's start all go through here, so they accept and refuse exactly the same files.
///
/// Loading runs in three passes, each reporting every error it finds (`ConfigError.multiple`, in file
/// order): (1) the TOML and each key on its own (types, ranges, unknown keys, required keys, duplicates);
/// (2) rules between keys (quorum, fencing coverage, timeouts, storage); (3) with `checkFiles`, the files
/// the configuration names (cluster key, password files, fence agents). A later pass runs only when the
/// earlier ones found nothing, so that one mistake does not cascade into several messages.
public enum ConfigLoader {
    public static let defaultPath = "/etc/hacluster/haclusterd.toml"
    /// The protocol's limit (SPEC: 2 to 32 nodes; one node is accepted for trying things out).
    public static let maximumNodes = 32
    /// Larger files are refused before parsing: a configuration is a few kilobytes.
    static let maximumFileSize = 1 << 20

    /// Reads, parses and validates the configuration file at `path`.
    /// - Parameter checkFiles: also check, as this machine sees them, the files it names (key file,
    ///   password files, fence agents) and that the configuration file itself is not writable by
    ///   group or others. Off for checking a file meant for another machine.
    public static func load(path: String = defaultPath, checkFiles: Bool = true) throws(ConfigError) -> ClusterConfig {
        let (text, mode) = try readFile(path)
        return try parse(toml: text, path: path, checkFiles: checkFiles, fileMode: mode)
    }

    /// Parses and validates configuration text; `path` is only used in messages and kept as `sourcePath`.
    public static func parse(toml: String, path: String?, checkFiles: Bool = false) throws(ConfigError) -> ClusterConfig {
        try parse(toml: toml, path: path, checkFiles: checkFiles, fileMode: nil)
    }

    /// `fileMode`: permission bits of the file the text was read from, checked with `checkFiles`.
    static func parse(toml: String, path: String?, checkFiles: Bool, fileMode: UInt32?) throws(ConfigError) -> ClusterConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: toml)
        } catch let error as TOMLParseError {
            throw .syntax(file: path, line: error.source.begin.line, column: error.source.begin.column,
                          message: error.description)
        } catch {
            throw .syntax(file: path, line: 1, column: 1, message: "\(error)")
        }
        let diagnostics = ConfigDiagnostics(file: path, source: toml)
        let document = ConfigTable(table: root, path: "", diagnostics: diagnostics)

        let decoded = decode(document)
        try diagnostics.throwIfAny()
        guard let config = decoded else {
            preconditionFailure("decoding returned no configuration but reported no error")
        }

        validateRules(config, diagnostics)
        try diagnostics.throwIfAny()

        var result = config
        result.sourcePath = path
        if checkFiles {
            // The configuration chooses programs run as root (agent_dir): only its owner may change it.
            if let path, let fileMode, fileMode & 0o022 != 0 {
                diagnostics.report(.writableByOthers(ConfigLocation(file: path, keyPath: ""), path: path, mode: fileMode))
            }
            validateFiles(result, diagnostics)
            try diagnostics.throwIfAny()
        }
        return result
    }

    // MARK: - Reading the file

    /// The file's text and permission bits.
    static func readFile(_ path: String) throws(ConfigError) -> (String, UInt32) {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw .unreadable(file: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(file: path, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(file: path, errno: (info.st_mode & S_IFMT) == S_IFDIR ? EISDIR : EINVAL)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(file: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk.prefix(n))
            guard bytes.count <= maximumFileSize else { throw .unreadable(file: path, errno: EFBIG) }
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
