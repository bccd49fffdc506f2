import ClusterCore

/// The outcome of one seed.
public struct SimulationResult: Sendable {
    public var seed: UInt64
    public var shape: ClusterShape
    /// The seed's fault mix.
    public var faults: FaultProfile
    public var violation: Violation?
    public var steps: Int
    public var events: Int
    public var elections: Int
    public var takeovers: Int
    public var fences: Int
    public var crashes: Int
    public var commandsCommitted: Int
    /// Simulated time from the heal to the service running, when the liveness phase ran and passed.
    public var livenessRecovery: Duration?
    public var trace: [String]

    /// One line that replays this seed with the same options.
    public func replayCommand(options: SimulationOptions) -> String {
        var command = "swift run hasim replay --seed \(seed) --steps \(options.steps)"
        for (name, mutation) in ElectionMutations.all where options.mutations.contains(mutation) {
            command += " --mutation \(name)"
        }
        if !options.faults { command += " --no-faults" }
        return command + " --trace"
    }
}
