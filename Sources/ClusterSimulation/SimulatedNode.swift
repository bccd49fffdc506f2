import ClusterCore

/// One simulated machine: its process (the core, absent while down), its
/// disk (what was persisted), its clock, and the service resources it holds.
final class SimulatedNode {
    let name: String
    let config: ClusterConfig
    /// The process; nil while crashed or fenced.
    var core: ElectionNode?
    /// Bumped at every restart: events of a previous life are dropped.
    var incarnation = 0
    /// The disk: only what a `persist` action wrote survives a crash.
    var durable = PersistentState.initial
    /// Local clock = offset + real × rate (the storage shape's "clocks drift apart" mix sets it after the draw).
    var rate: Double
    let offset: UInt64
    var pausedUntil: UInt64?
    /// When its process's next tick is due (real time); a tick event for another time is stale.
    var nextTickAt: UInt64 = 0
    /// Inputs that arrived while the process was paused, fed in order on resume.
    var deferred: [(Input, UInt64)] = []
    var fencedDown = false
    /// Real time its daemon was told to stop (`Input.leave`); nil when not stopping.
    var leavingSince: UInt64?
    /// Its daemon exited after a completed leave and has not started again, since then (real
    /// time): no fence decided after that may land on it.
    var leftCleanlyAt: UInt64?

    // Ground truth of the service on this machine.
    /// From the takeover (after its fencing) until the release completes, a crash or a fence.
    var holding = false
    var releasing = false
    /// Bumped when a takeover or release starts or the machine dies: stale completions are ignored.
    var resourceEpoch = 0
    var takeoverInFlight = false

    // Ground truth of the leader lease (real times).
    var leaseTerm: Term = .zero
    var leaseAcks: [String: UInt64] = [:]
    var heartbeatSendTimes: [UInt64: UInt64] = [:]
    var campaignSendTime: [Term: UInt64] = [:]

    var wasLeaseClaimed = false

    // The storage shape: this node's disk-heartbeat cycles and its path to the shared disk.
    var storage = StoragePath()
    /// A network-only or both-ways cut of this node runs until then (real time; overlapping cuts extend it).
    var cutFromNetworkUntil: UInt64 = 0
    /// A cycle started and not finished (the shell runs one at a time: a timer firing meanwhile is skipped).
    var cycleInFlight = false
    /// The counter of this process's heartbeat (from 1 after every start, with a new incarnation).
    var diskCounter: UInt64 = 0
    /// Why the release in progress was asked for (storage-lost releases are timed).
    var releaseReason: ReleaseReason?

    // Ground truth for the storage checks (real times).
    /// When the running process started.
    var startedAt: UInt64 = 0
    /// When the running process last got a good cycle (`.arbiter(.succeeded)` stepped into its core).
    var lastGoodCycleFed: UInt64?
    /// When the running process last resumed from a pause (0: not since it started).
    var resumedAt: UInt64 = 0
    /// When this node's heartbeat last landed on the disk, and its last read completed.
    var lastWriteLanded: UInt64?
    var lastReadDone: UInt64?
    /// The last time anything made this node's disk heartbeat unreliable for the split check
    /// (`SplitWatch`): its process started, it paused, a cycle failed or found the I/O hung,
    /// or a write landed (a read completed) later than on time after the previous one.
    var lastTroubleAt: UInt64 = 0

    /// The process is gone (a crash, or an exit after its leave): its volatile state goes
    /// with it, and completions of what it had started are ignored. `holding` is the
    /// caller's: a crash loses the service, an exit after a leave must already hold nothing.
    func processEnded() {
        core = nil
        releasing = false
        takeoverInFlight = false
        resourceEpoch += 1
        pausedUntil = nil
        deferred = []
        leavingSince = nil
        cycleInFlight = false
        releaseReason = nil
    }

    init(name: String, config: ClusterConfig, rate: Double, offset: UInt64) {
        self.name = name
        self.config = config
        self.rate = rate
        self.offset = offset
    }

    var isUp: Bool { core != nil }

    /// Paused from the pause until its `.resume` event ran (not merely until the
    /// time passed: events at the same instant may come first).
    func isPaused(at time: UInt64) -> Bool {
        pausedUntil != nil
    }

    func localTime(_ real: UInt64) -> Instant {
        Instant(nanoseconds: offset &+ UInt64((Double(real) * rate).rounded(.down)))
    }

    /// Real duration of a local duration on this clock.
    func realDuration(_ local: Duration) -> UInt64 {
        UInt64(max(0, Double(local.nanoseconds) / rate))
    }
}
