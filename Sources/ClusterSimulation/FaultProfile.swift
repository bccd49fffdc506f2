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

    public init(name: String = "custom", crash: Double, quickRestart: Double, restartAfterAck: Double, pause: Double, networkChange: Double, serviceFailure: Double, networkFaults: [NetworkFault], leave: Double = 0) {
        precondition(!networkFaults.isEmpty || networkChange == 0, "network changes need at least one kind")
        self.name = name
        self.crash = crash
        self.quickRestart = quickRestart
        self.restartAfterAck = restartAfterAck
        self.pause = pause
        self.networkChange = networkChange
        self.serviceFailure = serviceFailure
        self.networkFaults = networkFaults
        self.leave = leave
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
            networkChange: networkChange * n, serviceFailure: serviceFailure * f, networkFaults: kinds ?? networkFaults, leave: l ?? leave)
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
