import ClusterCore

/// The fault mix of one seed. With the same rates for every seed, all seeds
/// look alike, and a combination that needs two rare faults at once (a
/// follower's daemon restarting right after it acknowledged the leader, while
/// a one-way link failure keeps another node from hearing that leader) came up
/// less than once in 25,000 seeds. So each seed draws a mix: the base rates,
/// a random swarm (each fault off, at base or five times as often), or one of
/// a few named operational situations.
public struct FaultProfile: Sendable, Equatable, CustomStringConvertible {
    /// Which mix this is, for the replay line.
    public var name: String
    /// Per step: a random node loses power (restarts 0.05-4 s later).
    public var crash: Double
    /// Per step: a random daemon dies and systemd restarts it at once.
    public var quickRestart: Double
    /// Per acknowledgement sent: the daemon dies right after sending it.
    public var restartAfterAck: Double
    /// Per step: a random process pauses for 0.2-3 s.
    public var pause: Double
    /// Per step: the network changes (one of `networkFaults`).
    public var networkChange: Double
    /// Per step: the running unit fails.
    public var serviceFailure: Double
    /// The kinds of network change this seed draws from (never empty).
    public var networkFaults: [NetworkFault]
    /// Per step: a random daemon is stopped (SIGTERM, `Input.leave`): it hands over,
    /// exits once its leave is done and starts again 0.05-4 s later.
    public var leave: Double

    // The storage shape only (`ClusterShape.storageTieBreaker`); drawn after the rest, so
    // the other shapes' seeds keep their runs.
    /// Which storage mix this is (nil: none, the shape has no shared disk).
    public var storageMix: String?
    /// Per step: a storage episode (one of `storageFaults`) starts around a random node.
    public var storageChange: Double
    /// The kinds of storage episode this seed draws from.
    public var storageFaults: [StorageFault]
    /// The two clocks run apart at the simulation's limits (one 0.9 % fast, the other
    /// 0.9 % slow) instead of each a random rate within them.
    public var driftApart: Bool

    public init(
        name: String = "custom", crash: Double, quickRestart: Double, restartAfterAck: Double, pause: Double, networkChange: Double,
        serviceFailure: Double, networkFaults: [NetworkFault], leave: Double = 0,
        storageMix: String? = nil, storageChange: Double = 0, storageFaults: [StorageFault] = [], driftApart: Bool = false
    ) {
        precondition(!networkFaults.isEmpty || networkChange == 0, "network changes need at least one kind")
        precondition(!storageFaults.isEmpty || storageChange == 0, "storage episodes need at least one kind")
        self.name = name
        self.crash = crash
        self.quickRestart = quickRestart
        self.restartAfterAck = restartAfterAck
        self.pause = pause
        self.networkChange = networkChange
        self.serviceFailure = serviceFailure
        self.networkFaults = networkFaults
        self.leave = leave
        self.storageMix = storageMix
        self.storageChange = storageChange
        self.storageFaults = storageFaults
        self.driftApart = driftApart
    }

    /// The base mix: every fault on at its base rate.
    public static let uniform = FaultProfile(
        name: "uniform", crash: 0.0025, quickRestart: 0.003, restartAfterAck: 0.003, pause: 0.002,
        networkChange: 0.006, serviceFailure: 0.002, networkFaults: NetworkFault.allCases)

    /// The base rates scaled.
    public func scaled(_ name: String, crash c: Double = 1, quickRestart q: Double = 1, restartAfterAck r: Double = 1, pause p: Double = 1,
                networkChange n: Double = 1, serviceFailure f: Double = 1, networkFaults kinds: [NetworkFault]? = nil, leave l: Double? = nil) -> FaultProfile {
        FaultProfile(
            name: name, crash: crash * c, quickRestart: quickRestart * q, restartAfterAck: restartAfterAck * r, pause: pause * p,
            networkChange: networkChange * n, serviceFailure: serviceFailure * f, networkFaults: kinds ?? networkFaults, leave: l ?? leave,
            storageMix: storageMix, storageChange: storageChange, storageFaults: storageFaults, driftApart: driftApart)
    }

    /// The base rate of storage episodes: one every 5 s of simulated time (two or so per seed).
    public static let baseStorageChange = 0.004

    /// This mix with storage faults (`ClusterShape.storageTieBreaker`), chosen like the rest:
    /// a quarter of the seeds the base rate with every kind, a quarter a random swarm, and an
    /// eighth each a slow storage, storage outages (cuts and hangs), network-only splits
    /// (both disks healthy), or the clocks drifting apart.
    public func withStorage(using random: inout ElectionRandom) -> FaultProfile {
        var mix = self
        let base = Self.baseStorageChange
        switch random.next(upperBound: 8 as UInt64) {
        case 0, 1:
            mix.storageMix = "storage-uniform"
            mix.storageChange = base
            mix.storageFaults = StorageFault.allCases
        case 2, 3:
            let factors: [Double] = [0, 1, 1, 5]
            mix.storageMix = "storage-swarm"
            mix.storageChange = base * factors[Int(random.next(upperBound: 4 as UInt64))]
            mix.storageFaults = StorageFault.allCases.filter { _ in random.next(upperBound: 3 as UInt64) != 0 }
            if mix.storageFaults.isEmpty { mix.storageFaults = [.slowWrites] }
            mix.driftApart = random.next(upperBound: 2 as UInt64) == 0
        case 4:
            // An overloaded NAS: heartbeats land late, sometimes later than storage_timeout.
            mix.storageMix = "slow-storage"
            mix.storageChange = base * 5
            mix.storageFaults = [.slowWrites, .slowWrites, .slowWrites, .hang, .networkCut]
        case 5:
            // A SAN path failing and hanging, one node at a time or with its network.
            mix.storageMix = "storage-outages"
            mix.storageChange = base * 4
            mix.storageFaults = [.storageCut, .hang, .bothCut]
        case 6:
            // The case the tie-breaker is for: the network splits while both machines and
            // both disks stay healthy (slow at times): no crash, restart, pause or planned stop.
            mix.storageMix = "network-splits"
            mix.crash = 0
            mix.quickRestart = 0
            mix.restartAfterAck = 0
            mix.pause = 0
            mix.leave = 0
            mix.storageChange = base * 5
            mix.storageFaults = [.networkCut, .networkCut, .networkCut, .slowWrites]
        default:
            mix.storageMix = "clock-drift"
            mix.storageChange = base * 2
            mix.storageFaults = StorageFault.allCases
            mix.driftApart = true
        }
        return mix
    }

    /// A quarter of the seeds run the base mix, a quarter a random swarm, and
    /// an eighth each one of four situations.
    static func random(using random: inout ElectionRandom) -> FaultProfile {
        let base = uniform
        switch random.next(upperBound: 8 as UInt64) {
        case 0, 1:
            return base
        case 2, 3:
            func factor() -> Double {
                switch random.next(upperBound: 4 as UInt64) {
                case 0: 0
                case 1, 2: 1
                default: 5
                }
            }
            var kinds = NetworkFault.allCases.filter { _ in random.next(upperBound: 3 as UInt64) != 0 }
            if kinds.isEmpty { kinds = [.partition] }
            return base.scaled(
                "swarm", crash: factor(), quickRestart: factor(), restartAfterAck: factor(), pause: factor(),
                networkChange: factor(), serviceFailure: factor(), networkFaults: kinds)
        case 4:
            // Switches rebooting, links flapping, congestion.
            return base.scaled("flaky-network", networkChange: 8)
        case 5:
            // Daemons restarting (upgrades, crashes, planned stops) while some links work one way only.
            return base.scaled(
                "restarts-and-one-way-links", crash: 0, quickRestart: 3, restartAfterAck: 25, networkChange: 4,
                networkFaults: [.heal, .deafToLeader, .asymmetric], leave: 0.004)
        case 6:
            // Long stalls: VM migration, swapping, a blocked disk.
            return base.scaled("stalls", pause: 8)
        default:
            // Machines losing power and coming back.
            return base.scaled("power-losses", crash: 6, quickRestart: 4)
        }
    }

    public var description: String {
        let base = Self.uniform
        func factor(_ rate: Double, _ baseRate: Double) -> String { "×\(Int((rate / baseRate).rounded()))" }
        return "\(name): crash \(factor(crash, base.crash)), restart \(factor(quickRestart, base.quickRestart)), "
            + "restart-after-ack \(factor(restartAfterAck, base.restartAfterAck)), pause \(factor(pause, base.pause)), "
            + "network \(factor(networkChange, base.networkChange)) [\(networkFaults.map(\.rawValue).joined(separator: ","))], "
            + "unit failure \(factor(serviceFailure, base.serviceFailure))"
            + (leave > 0 ? ", planned stop \(leave)/step" : "")
            + (storageMix.map { mix in
                "; \(mix): storage \(factor(storageChange, Self.baseStorageChange)) [\(StorageFault.allCases.filter(storageFaults.contains).map(\.rawValue).joined(separator: ","))]"
                    + (driftApart ? ", clocks ±0.9 %" : "")
            } ?? "")
    }
}

/// A change of the simulated network.
public enum NetworkFault: String, Sendable, CaseIterable {
    /// Every path back to normal.
    case heal
    /// Two random sides that cannot talk.
    case partition
    /// Some random directed paths drop everything.
    case asymmetric
    /// One node cut off from all others.
    case isolate
    /// One node stops hearing the current leader (a one-way link failure), while it still reaches the others.
    case deafToLeader = "deaf-to-leader"
    /// One path gets lossy, duplicating and slow (reordering).
    case lossyPath = "lossy-path"
    /// Every path gets lossy.
    case lossy
}
