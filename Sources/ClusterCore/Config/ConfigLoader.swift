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
    public static let maximumFileSize = 1 << 20

    /// Parses and validates configuration text (passes 1 and 2); `path` is only used in messages
    /// and kept as `sourcePath`.
    public static func parse(toml: String, path: String?) throws(ConfigError) -> ClusterConfig {
        try parse(toml: toml, path: path, fileMode: nil, fileCheck: nil)
    }

    /// Passes 1 and 2, then, when they found nothing, pass 3: `fileCheck` reports what it finds
    /// about the files the configuration names (ClusterHost reads them). `fileMode`: permission
    /// bits of the file the text was read from, checked with `fileCheck`.
    public static func parse(
        toml: String, path: String?, fileMode: UInt32?,
        fileCheck: ((ClusterConfig, ConfigDiagnostics) -> Void)?
    ) throws(ConfigError) -> ClusterConfig {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(toml)
        } catch {
            throw .syntax(file: path, line: error.line, column: error.column, message: error.message)
        }
        let diagnostics = ConfigDiagnostics(file: path, document: root)
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
        if let fileCheck {
            // The configuration chooses programs run as root (agent_dir): only its owner may change it.
            if let path, let fileMode, fileMode & 0o022 != 0 {
                diagnostics.report(.writableByOthers(ConfigLocation(file: path, keyPath: ""), path: path, mode: fileMode))
            }
            fileCheck(result, diagnostics)
            try diagnostics.throwIfAny()
        }
        return result
    }
}
