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
        throw .failed("this build of hactl has no configuration loader yet; use haclusterd --check-config --config \(path)")
    }
}
