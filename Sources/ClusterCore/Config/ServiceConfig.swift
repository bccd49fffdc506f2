/// The `[service]` section: the managed systemd unit(s).
public struct ServiceConfig: Sendable, Equatable {
    public enum Bus: String, Sendable, Equatable, CaseIterable {
        case system
        /// A per-user manager (used by tests and the demo cluster).
        case user
    }

    public var name: String
    /// Started in order, stopped in reverse.
    public var units: [String]
    public var systemdBus: Bus
    public var startTimeout: Duration
    public var stopTimeout: Duration
    public var monitorInterval: Duration
    /// Optional; expects HTTP 200.
    public var healthURL: String?
    /// Local failures before moving away.
    public var migrationThreshold: Int
    /// Failures older than this are forgotten.
    public var failureExpiry: Duration

    public init(
        name: String,
        units: [String],
        systemdBus: Bus = .system,
        startTimeout: Duration = .seconds(600),
        stopTimeout: Duration = .seconds(600),
        monitorInterval: Duration = .seconds(10),
        healthURL: String? = nil,
        migrationThreshold: Int = 3,
        failureExpiry: Duration = .seconds(600)
    ) {
        self.name = name
        self.units = units
        self.systemdBus = systemdBus
        self.startTimeout = startTimeout
        self.stopTimeout = stopTimeout
        self.monitorInterval = monitorInterval
        self.healthURL = healthURL
        self.migrationThreshold = migrationThreshold
        self.failureExpiry = failureExpiry
    }
}
