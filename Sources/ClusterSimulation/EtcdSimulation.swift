import ClusterCore

/// A seed-driven simulation of the etcd backend: `EtcdCoordinator` on every service node, a
/// simulated etcd (a linearizable store with leases that expire on the server), and a shell that
/// fences, takes over and releases with realistic delays.
///
/// Faults: a daemon crash (its service keeps running, as after a real crash, until it is
/// fenced), a node cut from etcd only, etcd without quorum. The property: at no time do two
/// nodes run the service. Liveness: once the faults stop, some node runs it.
public struct EtcdSimulation: Sendable {
    /// Broken mechanisms: each must make the simulation report two nodes running the service.
    public enum Mutation: Sendable, Equatable, CaseIterable {
        /// The shell reports a fence as done without fencing.
        case fakeFence
        /// The holder record reads as absent: nobody is fenced before a takeover.
        case ignoreHolderRecord
    }

    public struct Result: Sendable, Equatable {
        public var violations: [String]
        public var takeovers: Int
        public var fences: Int
        /// Whether a node ran the service at the end (after the faults stopped).
        public var servedAtEnd: Bool
    }

    public let seed: UInt64
    public let mutation: Mutation?
    public let config: ClusterConfig
    public let ttl: Duration = .seconds(3)
    /// Faults happen in [0, faultHorizon); the run ends 30 s later.
    public let faultHorizon: UInt64 = 60_000_000_000

    public init(seed: UInt64, config: ClusterConfig, mutation: Mutation? = nil) {
        self.seed = seed
        self.config = config
        self.mutation = mutation
    }

    private enum Event {
        case tick(Int)
        case keepAlive(Int)
        case deliver(Int, EtcdCoordinator.Input, incarnation: Int)
        case serviceDone(Int, Action, incarnation: Int)
        case crash(Int)
        case restart(Int)
        case cut(Int, Bool)
        case etcd(Bool)
    }

    private struct Node {
        var name: String
        var coordinator: EtcdCoordinator
        var hold = EtcdLeaseHold()
        var lease: Int64 = 0
        var alive = true
        var reachable = true
        var running = false
        /// Bumped at each restart: answers to an earlier incarnation are dropped.
        var incarnation = 0
    }

    public func run() -> Result {
        var random = ElectionRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 7)
        let names = config.serviceNodes.map(\.name)
        let grace = ttl
        var nodes = names.map {
            Node(name: $0, coordinator: EtcdCoordinator(node: $0, config: config, campaignGrace: grace, retryBackoff: .seconds(1)))
        }
        var queue = EventQueue<Event>()
        var now: UInt64 = 0
        var violations: [String] = []
        var takeovers = 0, fences = 0

        // The simulated etcd.
        var etcdUp = true
        var revision: Int64 = 1
        var leases: [Int64: UInt64] = [:]  // id -> expiry (ns)
        var nextLease: Int64 = 100
        var leader: (node: String, term: Int64, lease: Int64)?
        var holder: EtcdHolderRecord?

        func ms(_ value: UInt64) -> UInt64 { value * 1_000_000 }
        func delay() -> UInt64 { ms(UInt64.random(in: 1...5, using: &random)) }
        func instant(_ time: UInt64) -> Instant { Instant(nanoseconds: time) }
        func reaches(_ index: Int) -> Bool { etcdUp && nodes[index].alive && nodes[index].reachable }

        func expireLeases() {
            for (id, expiry) in leases where expiry <= now {
                leases[id] = nil
                if leader?.lease == id { leader = nil; revision += 1 }
            }
        }

        func perform(_ outputs: [EtcdCoordinator.Output], for index: Int) {
            let incarnation = nodes[index].incarnation
            func reply(_ input: EtcdCoordinator.Input) {
                queue.push(.deliver(index, input, incarnation: incarnation), at: now + delay())
            }
            /// A call etcd could not serve fails after the client's request timeout.
            func unavailable() {
                queue.push(.deliver(index, .etcdFailed("unavailable"), incarnation: incarnation), at: now + ms(500))
            }
            for output in outputs {
                let ok = reaches(index)
                switch output {
                case .grantLease:
                    guard ok else { unavailable(); continue }
                    nextLease += 1
                    leases[nextLease] = now + UInt64(ttl.nanoseconds)
                    nodes[index].lease = nextLease
                    nodes[index].hold.drop()
                    nodes[index].hold.renewed(sentAt: instant(now), answeredAt: instant(now), ttl: ttl)
                    reply(.leaseGranted)
                    queue.push(.keepAlive(index), at: now + UInt64(EtcdLeaseHold.keepAliveInterval(ttl: ttl).nanoseconds))
                case .campaign:
                    guard ok else { unavailable(); continue }
                    expireLeases()
                    if let current = leader {
                        reply(.campaigned(.held(by: current.node, term: current.term)))
                    } else if leases[nodes[index].lease] != nil {
                        revision += 1
                        leader = (nodes[index].name, revision, nodes[index].lease)
                        reply(.campaigned(.won(term: revision)))
                    } else {
                        reply(.campaigned(.failed("lease not found")))
                    }
                case .readHolder:
                    guard ok else { unavailable(); continue }
                    reply(.holderRead(mutation == .ignoreHolderRecord ? nil : holder))
                case .recordHolder(let record):
                    guard ok else { unavailable(); continue }
                    expireLeases()
                    let current = leader?.term == record.term
                    if current { holder = record; revision += 1 }
                    reply(.holderRecorded(current))
                case .resign(let term):
                    guard ok else { unavailable(); continue }
                    if leader?.term == term { leader = nil; revision += 1 }
                    reply(.resigned)
                case .recordFailure:
                    break  // the simulation injects no service failures: nothing to count
                case .revokeLease:
                    if ok {
                        leases[nodes[index].lease] = nil
                        if leader?.lease == nodes[index].lease { leader = nil; revision += 1 }
                    }
                case .service(let action):
                    switch action {
                    case .fence: queue.push(.serviceDone(index, action, incarnation: incarnation), at: now + ms(UInt64.random(in: 50...300, using: &random)))
                    case .takeover: queue.push(.serviceDone(index, action, incarnation: incarnation), at: now + ms(UInt64.random(in: 50...200, using: &random)))
                    case .release: queue.push(.serviceDone(index, action, incarnation: incarnation), at: now + ms(UInt64.random(in: 20...150, using: &random)))
                    default: break
                    }
                }
            }
        }

        func step(_ index: Int, _ input: EtcdCoordinator.Input) {
            let outputs = nodes[index].coordinator.step(input, now: instant(now))
            perform(outputs, for: index)
        }

        func check() {
            let running = nodes.filter(\.running).map(\.name)
            if running.count > 1 {
                violations.append("at \(Double(now) / 1e9)s: \(running.joined(separator: " and ")) both run the service")
            }
        }

        // Start: every node asks for a lease, ticks every 100 ms.
        for index in nodes.indices {
            _ = nodes[index].coordinator.step(.present(Set(names)), now: .zero)
            perform(nodes[index].coordinator.start(), for: index)
            queue.push(.tick(index), at: ms(UInt64.random(in: 1...100, using: &random)))
        }
        // Faults.
        var at = ms(UInt64.random(in: 2000...6000, using: &random))
        while at < faultHorizon {
            let index = Int.random(in: nodes.indices, using: &random)
            let length = ms(UInt64.random(in: 500...8000, using: &random))
            switch Int.random(in: 0..<3, using: &random) {
            case 0: queue.push(.crash(index), at: at); queue.push(.restart(index), at: at + length)
            case 1: queue.push(.cut(index, true), at: at); queue.push(.cut(index, false), at: at + length)
            default: queue.push(.etcd(false), at: at); queue.push(.etcd(true), at: at + length)
            }
            at += length + ms(UInt64.random(in: 1000...10000, using: &random))
        }
        let end = max(at, faultHorizon) + 30_000_000_000

        while let (time, event) = queue.pop(), time <= end {
            now = time
            expireLeases()
            switch event {
            case .tick(let index):
                queue.push(.tick(index), at: now + ms(100))
                guard nodes[index].alive else { continue }
                if nodes[index].lease != 0, !nodes[index].hold.holds(at: instant(now)), nodes[index].hold.deadline != nil {
                    nodes[index].hold.drop()
                    step(index, .leaseLost("the hold ran out"))
                }
                if reaches(index) {
                    step(index, .leader(node: leader?.node, term: leader?.term ?? 0))
                }
                step(index, .tick)
            case .keepAlive(let index):
                guard nodes[index].alive, nodes[index].lease != 0, nodes[index].hold.deadline != nil else { continue }
                queue.push(.keepAlive(index), at: now + UInt64(EtcdLeaseHold.keepAliveInterval(ttl: ttl).nanoseconds))
                if reaches(index), leases[nodes[index].lease] != nil {
                    leases[nodes[index].lease] = now + delay() + UInt64(ttl.nanoseconds)
                    nodes[index].hold.renewed(sentAt: instant(now), answeredAt: instant(now + delay()), ttl: ttl)
                }
            case .deliver(let index, let input, let incarnation):
                guard nodes[index].alive, nodes[index].incarnation == incarnation else { continue }
                step(index, input)
            case .serviceDone(let index, let action, let incarnation):
                guard nodes[index].alive, nodes[index].incarnation == incarnation else { continue }
                switch action {
                case .fence(let victim, _):
                    fences += 1
                    if mutation != .fakeFence, let target = nodes.firstIndex(where: { $0.name == victim }) {
                        // Power off: the service stops, the daemon with it; back after a reboot.
                        nodes[target].running = false
                        if nodes[target].alive {
                            nodes[target].alive = false
                            queue.push(.restart(target), at: now + ms(3000))
                        }
                    }
                    step(index, .report(.fenced(node: victim)))
                case .takeover(let term, _):
                    takeovers += 1
                    nodes[index].running = true
                    check()
                    step(index, .report(.takeoverSucceeded(term: term)))
                case .release:
                    nodes[index].running = false
                    step(index, .report(.released))
                default:
                    break
                }
            case .crash(let index):
                nodes[index].alive = false  // the service keeps running
            case .restart(let index):
                guard !nodes[index].alive else { continue }
                // A daemon starting stops whatever of the service still runs here.
                nodes[index].alive = true
                nodes[index].running = false
                nodes[index].incarnation += 1
                nodes[index].lease = 0
                nodes[index].hold = EtcdLeaseHold()
                nodes[index].coordinator = EtcdCoordinator(node: nodes[index].name, config: config, campaignGrace: grace, retryBackoff: .seconds(1))
                _ = nodes[index].coordinator.step(.present(Set(names)), now: instant(now))
                perform(nodes[index].coordinator.start(), for: index)
            case .cut(let index, let cut):
                nodes[index].reachable = !cut
            case .etcd(let up):
                etcdUp = up
            }
        }
        return Result(violations: violations, takeovers: takeovers, fences: fences, servedAtEnd: nodes.contains(where: \.running))
    }
}
