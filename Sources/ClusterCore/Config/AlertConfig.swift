/// One `[[alert]]`: a program run on cluster events, like a Pacemaker alert agent or a
/// keepalived notify script. Node-local (each node runs its own copy; not in the digest).
///
/// ```toml
/// [[alert]]
/// command = "/usr/local/lib/hacluster/notify-ops"
/// events = ["service.*", "fence.failed", "link.down"]   # optional; default: every main event
/// timeout = "30s"                                        # optional
/// ```
public struct AlertConfig: Sendable, Equatable {
    public static let defaultTimeout: Duration = .seconds(30)
    public static let maximumTimeout: Duration = .seconds(600)

    /// An absolute path, run without a shell and without arguments; what happened is in its
    /// environment (`AlertEnvironment`).
    public var command: String
    /// Which events run it: kind names (`fence.failed`), whole areas (`fence.*`) or `*`.
    /// Empty: the main events, those with a journal `MESSAGE_ID` (`EventKind.messageID`).
    public var events: [String]
    public var timeout: Duration

    public init(command: String, events: [String] = [], timeout: Duration = defaultTimeout) {
        self.command = command
        self.events = events
        self.timeout = timeout
    }

    public func selects(_ kind: EventKind) -> Bool {
        guard !events.isEmpty else { return kind.messageID != nil }
        return events.contains { Self.pattern($0, matches: kind) }
    }

    /// Whether `pattern` is a kind name, `AREA.*` of an existing area, or `*`.
    public static func isValidPattern(_ pattern: String) -> Bool {
        EventKind.allCases.contains { Self.pattern(pattern, matches: $0) }
    }

    static func pattern(_ pattern: String, matches kind: EventKind) -> Bool {
        if pattern == "*" || pattern == kind.rawValue { return true }
        guard pattern.hasSuffix(".*") else { return false }
        return kind.rawValue.hasPrefix(String(pattern.dropLast()))
    }
}
