import ClusterCore

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
}
