/// Collects the errors found while one configuration is read, and locates them (file, line).
///
/// Reading goes on after an error so that one run reports every independent mistake.
public final class ConfigDiagnostics {
    let file: String?
    private let lineIndex: TOMLLineIndex
    private(set) var errors: [ConfigError] = []

    public init(file: String?, source: String) {
        self.file = file
        self.lineIndex = TOMLLineIndex(source: source)
    }

    public func location(_ keyPath: String) -> ConfigLocation {
        ConfigLocation(file: file, keyPath: keyPath, line: lineIndex.line(for: keyPath))
    }

    public func report(_ error: ConfigError) {
        errors.append(error)
    }

    var hasErrors: Bool { !errors.isEmpty }

    /// Throws what was collected, in file order: one error as itself, several as `.multiple`.
    public func throwIfAny() throws(ConfigError) {
        guard !errors.isEmpty else { return }
        let ordered = errors.enumerated()
            .sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }
            .map(\.element)
        throw ordered.count == 1 ? ordered[0] : .multiple(ordered)
    }
}
