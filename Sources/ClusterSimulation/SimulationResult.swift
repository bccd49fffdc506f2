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
    /// Fences that landed on a node after its clean leave, decided before the leave was complete
    /// (a fence is never abandoned half-way): the cost of that rule, not a violation.
    public var fencesAfterCleanLeave = 0
    public var crashes: Int
    public var commandsCommitted: Int
    /// Simulated time from the heal to the service running, when the liveness phase ran and passed.
    public var livenessRecovery: Duration?
    /// The storage shape: storage episodes started (`StorageFault`).
    public var storageEpisodes = 0
    /// The storage shape: clean network-only splits (`SplitWatch`: both nodes up, both disks
    /// healthy) that lasted failure_timeout + storage_timeout or more, and their total length.
    public var cleanSplits = 0
    public var cleanSplitTime: Duration = .zero
    /// The storage shape: for each release because this node lost the storage while holding
    /// the service, the time from its last good disk-heartbeat cycle to the service stopped.
    public var storageLostReleases: [Duration] = []
    public var trace: [String]

    /// One line that replays this seed with the same options.
    public func replayCommand(options: SimulationOptions) -> String {
        var command = "swift run hasim replay --seed \(seed) --steps \(options.steps)"
        for (name, mutation) in ElectionMutations.all where options.mutations.contains(mutation) {
            command += " --mutation \(name)"
        }
        if let shape = options.shape { command += " --shape \(shape.name)" }
        if !options.faults { command += " --no-faults" }
        return command + " --trace"
    }
}
