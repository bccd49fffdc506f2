import ClusterCore

/// Everything that is not decided by the seed: how long to run, which faults
/// to inject, and which mechanism to break (mutation check).
public struct SimulationOptions: Sendable, Equatable {
    /// Steps of the safety phase; one step is `stepDuration` of simulated time.
    public var steps: Int
    public var stepDuration: Duration
    /// Inject faults (network, crashes, pauses, service failures) in the safety phase.
    public var faults: Bool
    /// Random admin commands in the safety phase.
    public var adminCommands: Bool
    /// After the safety phase: heal everything and require the service to start (property 5).
    public var livenessPhase: Bool
    /// Simulated time allowed for the liveness phase.
    public var livenessTimeout: Duration
    public var mutations: ElectionMutations
    /// Record a line per event (replay --trace).
    public var trace: Bool
    /// Force a cluster shape instead of the seed's choice (nil: from the seed).
    public var shape: ClusterShape?
    /// Force a fault mix instead of the seed's choice (nil: from the seed).
    public var faultProfile: FaultProfile?

    public init(
        steps: Int = 500,
        stepDuration: Duration = .milliseconds(20),
        faults: Bool = true,
        adminCommands: Bool = true,
        livenessPhase: Bool = true,
        livenessTimeout: Duration = .seconds(40),
        mutations: ElectionMutations = [],
        trace: Bool = false,
        shape: ClusterShape? = nil,
        faultProfile: FaultProfile? = nil
    ) {
        self.steps = steps
        self.stepDuration = stepDuration
        self.faults = faults
        self.adminCommands = adminCommands
        self.livenessPhase = livenessPhase
        self.livenessTimeout = livenessTimeout
        self.mutations = mutations
        self.trace = trace
        self.shape = shape
        self.faultProfile = faultProfile
    }
}
