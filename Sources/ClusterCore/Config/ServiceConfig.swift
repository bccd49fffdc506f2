/// The `[service]` section: the managed systemd unit(s).
public struct ServiceConfig: Sendable, Equatable {
    public enum Bus: String, Sendable, Equatable, CaseIterable {
        case system
        /// A per-user manager (used by tests and the demo cluster).
        case user
    }

    public var name: String
    /// Per-unit start and stop timeouts (`[[service.unit]]`); absent: the service's.
    public struct UnitTimeouts: Sendable, Equatable {
        public var start: Duration?
        public var stop: Duration?

        public init(start: Duration? = nil, stop: Duration? = nil) {
            self.start = start
            self.stop = stop
        }
    }

    /// Started in order, stopped in reverse.
    public var units: [String]
    /// Timeouts of units written as `[[service.unit]]` with their own (by unit name).
    public var unitTimeouts: [String: UnitTimeouts] = [:]
    public var systemdBus: Bus
    public var startTimeout: Duration
    public var stopTimeout: Duration
    public var monitorInterval: Duration
    /// Optional; expects HTTP 200.
    public var healthURL: String?
    /// Successful checks in a row that make a starting (or unhealthy) service healthy.
    public var healthRise: Int
    /// Failed checks in a row, once healthy, that make the service fail.
    public var healthFall: Int
    /// One check's bound (connect, request, answer).
    public var healthTimeout: Duration
    /// Time between checks while the service runs; nil: `monitor_interval`.
    public var healthInterval: Duration?
    /// https: the CA certificates (PEM) that sign the server's certificate; nil: the system's.
    public var healthCAFile: String?
    /// https: verify the server's certificate and name (false: any certificate is accepted).
    public var healthTLSVerify: Bool
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
        healthRise: Int = 1,
        healthFall: Int = 3,
        healthTimeout: Duration = .seconds(2),
        healthInterval: Duration? = nil,
        healthCAFile: String? = nil,
        healthTLSVerify: Bool = true,
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
        self.healthRise = healthRise
        self.healthFall = healthFall
        self.healthTimeout = healthTimeout
        self.healthInterval = healthInterval
        self.healthCAFile = healthCAFile
        self.healthTLSVerify = healthTLSVerify
        self.migrationThreshold = migrationThreshold
        self.failureExpiry = failureExpiry
    }

    /// Time between health checks while the service runs.
    public var effectiveHealthInterval: Duration { healthInterval ?? monitorInterval }

    /// How long `unit` may take to start: its own `start_timeout`, else the service's.
    public func startTimeout(of unit: String) -> Duration { unitTimeouts[unit]?.start ?? startTimeout }

    /// How long `unit` may take to stop: its own `stop_timeout`, else the service's.
    public func stopTimeout(of unit: String) -> Duration { unitTimeouts[unit]?.stop ?? stopTimeout }

    /// The longest a full stop of the service takes: every unit's stop timeout, in turn.
    public var totalStopTimeout: Duration { units.reduce(.zero) { $0 + stopTimeout(of: $1) } }
}
