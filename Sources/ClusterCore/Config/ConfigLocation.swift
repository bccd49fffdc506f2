/// Where in a configuration file something is: the file, the key path and, when known, the line.
///
/// Key paths follow the TOML structure: `cluster.port`, `service.start_timeout`, `node[1].priority`
/// (array-of-tables entries are counted from 0 in file order), `fencing.device[0].options.ip`.
/// A whole section is named by its path alone (`node[2]`, `storage`).
public struct ConfigLocation: Sendable, Equatable, CustomStringConvertible {
    /// The configuration file, nil when the text did not come from a file.
    public var file: String?
    public var keyPath: String
    /// 1-based line of the key (or of its section header when the key is missing).
    public var line: Int?

    public init(file: String?, keyPath: String, line: Int? = nil) {
        self.file = file
        self.keyPath = keyPath
        self.line = line
    }

    /// `file:line: key`, leaving out what is unknown.
    public var description: String {
        var prefix = ""
        if let file { prefix = file }
        if let line { prefix += prefix.isEmpty ? "line \(line)" : ":\(line)" }
        if keyPath.isEmpty { return prefix }
        return prefix.isEmpty ? keyPath : "\(prefix): \(keyPath)"
    }
}
