/// Collects the errors found while one configuration is read, and locates them (file, line).
///
/// Reading goes on after an error so that one run reports every independent mistake.
public final class ConfigDiagnostics {
    let file: String?
    /// The parsed document, which knows the line of each key.
    private let document: TOMLTable?
    private(set) var errors: [ConfigError] = []

    /// Lines come from `source` when it parses (else messages carry no line).
    public convenience init(file: String?, source: String) {
        self.init(file: file, document: try? TOMLParser.parse(source))
    }

    init(file: String?, document: TOMLTable?) {
        self.file = file
        self.document = document
    }

    public func location(_ keyPath: String) -> ConfigLocation {
        ConfigLocation(file: file, keyPath: keyPath, line: document?.line(for: keyPath))
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
