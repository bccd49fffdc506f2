import ClusterCore

/// A tiny scripted cluster for scenario tests: one shared clock, messages
/// delivered in order when asked, partitions and pauses by hand, and every
/// action list kept so a scenario can assert exactly what a node did.
struct ScenarioHarness {
    var config: ClusterConfig
    var nodes: [String: ElectionNode] = [:]
    var now = Instant(nanoseconds: 1_000_000_000)
    var wallClock: UInt64 = 1_800_000_000
    /// Messages in flight, in send order.
    var inFlight: [(from: String, to: String, message: Message)] = []
    var blocked: Set<String> = []
    var paused: Set<String> = []
    /// Every action list, per node, in order.
    var history: [String: [[Action]]] = [:]
    /// Report takeovers (after their fencing) and releases as succeeded at once.
    var autoResources = true
    var fenced: [String] = []
    var mutations: ElectionMutations

    /// The daemon of `node` restarts from what it persisted: it forgets everything else.
    mutating func restart(_ node: String) {
        let persisted = nodes[node]!.persistent
        nodes[node] = ElectionNode(name: node, config: config, persisted: persisted, seed: 99, mutations: mutations)
        inFlight.removeAll { $0.to == node }
    }

    init(nodes count: Int, twoNode: Bool = false, waitForAll: Bool = false, priorities: [String: Int] = [:], witness: String? = nil,
         tieBreaker: QuorumSettings.TieBreaker = .none, mutations: ElectionMutations = [], voters: [String]? = nil) {
        self.mutations = mutations
        let nodeConfigs = (1...count).map { index in
            let name = "n\(index)"
            return NodeConfig(name: name, addresses: ["198.18.1.\(index)"], priority: priorities[name] ?? 100, role: name == witness ? .witness : .full)
        }
        config = ClusterConfig(
            cluster: ClusterSettings(name: "scenario"),
            quorum: QuorumSettings(twoNode: twoNode, waitForAll: waitForAll, tieBreaker: tieBreaker),
            nodes: nodeConfigs,
            service: ServiceConfig(name: "svc", units: ["svc.service"]),
            storage: StorageConfig(path: "/srv/shared"))
        for (index, node) in nodeConfigs.enumerated() {
            // `voters`: the member list every node stored (nil: not recorded, all configured nodes vote).
            let persisted = PersistentState(admin: AdminState(voters: voters))
            nodes[node.name] = ElectionNode(name: node.name, config: config, persisted: persisted, seed: UInt64(index + 1), mutations: mutations)
        }
    }

    subscript(name: String) -> ElectionNode { nodes[name]! }

    static func path(_ a: String, _ b: String) -> String { "\(a)>\(b)" }

    mutating func isolate(_ node: String) {
        for other in nodes.keys where other != node {
            blocked.insert(Self.path(node, other))
            blocked.insert(Self.path(other, node))
        }
    }

    mutating func heal() { blocked.removeAll() }

    /// Feeds one input to `node` and returns its actions (performing sends and,
    /// with `autoResources`, resource actions).
    @discardableResult
    mutating func step(_ node: String, _ input: Input) -> [Action] {
        guard !paused.contains(node), var core = nodes[node] else { return [] }
        let actions = core.step(input, now: now, wallClock: wallClock)
        nodes[node] = core
        history[node, default: []].append(actions)
        for action in actions {
            switch action {
            case .send(let to, let message):
                if !blocked.contains(Self.path(node, to)) { inFlight.append((node, to, message)) }
            case .takeover(let term, let fenceFirst) where autoResources:
                for victim in fenceFirst {
                    fenced.append(victim)
                    step(node, .report(.fenced(node: victim)))
                }
                step(node, .report(.takeoverSucceeded(term: term)))
            case .restart(let term) where autoResources:
                step(node, .report(.takeoverSucceeded(term: term)))
            case .release where autoResources:
                step(node, .report(.released))
            default:
                break
            }
        }
        return actions
    }

    /// Delivers messages until none is left (messages to paused nodes wait).
    mutating func deliverAll(limit: Int = 10_000) {
        var budget = limit
        while budget > 0, let index = inFlight.firstIndex(where: { !paused.contains($0.to) }) {
            budget -= 1
            let (from, to, message) = inFlight.remove(at: index)
            step(to, .received(message, from: from))
        }
    }

    /// Lets `duration` pass in 10ms ticks for every running node, delivering messages as they go
    /// (and, with the storage tie-breaker, one disk-heartbeat cycle per node every `diskInterval`).
    mutating func advance(by duration: Duration) {
        let end = now + duration
        while now < end {
            now = min(end, now + .milliseconds(10))
            for name in nodes.keys.sorted() { step(name, .tick) }
            if config.usesStorageTieBreaker { diskCycles() }
            deliverAll()
        }
    }

    // MARK: The shared disk (tie_breaker = "storage")

    /// Every node's last heartbeat on the shared disk.
    var disk: [String: ArbiterHeartbeat] = [:]
    /// Nodes whose I/O fails (EIO), and nodes whose I/O hangs (no cycle ends at all).
    var storageFailing: Set<String> = []
    var storageHung: Set<String> = []
    /// How often each node runs a cycle (a slow NAS: longer).
    var diskInterval: [String: Duration] = [:]
    var nextCycle: [String: Instant] = [:]

    mutating func diskCycles() {
        for name in nodes.keys.sorted() where !paused.contains(name) && !storageHung.contains(name) {
            let interval = diskInterval[name] ?? config.cluster.heartbeatInterval
            guard now >= nextCycle[name] ?? .zero else { continue }
            nextCycle[name] = now + interval
            if storageFailing.contains(name) {
                step(name, .arbiter(.failed(reason: "EIO")))
                continue
            }
            let core = nodes[name]!
            disk[name] = ArbiterHeartbeat(
                node: name, incarnation: Incarnation(1), term: core.term, leader: core.role == .leader,
                holding: core.service.mayRun, counter: (disk[name]?.counter ?? 0) + 1, wallClock: wallClock)
            step(name, .arbiter(.succeeded(heartbeats: disk)))
        }
    }

    /// Makes `leader` win an election: only it times out; then the lease wait passes and the service starts.
    mutating func elect(_ leader: String) {
        for name in nodes.keys.sorted() { step(name, .tick) }
        now = now + .seconds(2)
        step(leader, .tick)
        deliverAll()
        advance(by: .seconds(1))
    }

    /// Every action of `node` since `mark` (a count of its action lists), without events.
    func actions(_ node: String, since mark: Int) -> [Action] {
        (history[node] ?? []).dropFirst(mark).flatMap { $0 }.filter { if case .event = $0 { return false } else { return true } }
    }

    func mark(_ node: String) -> Int { history[node]?.count ?? 0 }
}

extension Action {
    var isSend: Bool { if case .send = self { return true } else { return false } }
    var isPersist: Bool { if case .persist = self { return true } else { return false } }
}
