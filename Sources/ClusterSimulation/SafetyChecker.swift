import ClusterCore

/// Checks DESIGN.md's safety properties against the simulation's ground truth
/// (what each machine really holds, and the real times of the
/// acknowledgements each leader's lease rests on), independently of what the
/// cores believe.
struct SafetyChecker {
    let config: ClusterConfig
    let timings: ElectionTimings
    var quorumSize: Int { config.quorum.twoNode ? 1 : config.nodes.count / 2 + 1 }
    /// Leader of each term seen so far (property 2).
    var leaders: [Term: String] = [:]
    /// Highest admin stamp a leader has committed (property 3).
    var maxCommitted: AdminStamp = .zero
    var trace: [String] = []
    var tracing = false
    /// The storage shape's network splits (property 8).
    var splits = SplitWatch()

    init(config: ClusterConfig, timings: ElectionTimings) {
        self.config = config
        self.timings = timings
    }

    mutating func note(_ line: String, at time: UInt64) {
        guard tracing else { return }
        trace.append(Self.stamp(time) + " " + line)
    }

    mutating func traceStep(node: String, input: Input, actions: [Action], at time: UInt64) {
        tracing = true
        var line = "\(Self.stamp(time)) \(node) ← \(Self.describe(input))"
        for action in actions {
            if case .event = action { continue }
            line += "\n           → \(Self.describe(action))"
        }
        trace.append(line)
    }

    static func stamp(_ time: UInt64) -> String {
        let ms = time / 1_000_000
        return "[\(ms / 1000).\(String(ms % 1000 + 1000).dropFirst())s]"
    }

    static func describe(_ input: Input) -> String {
        switch input {
        case .tick: "tick"
        case .received(let message, let from): "\(describe(message)) from \(from)"
        case .command(let id, let command): "command \(id) \(command)"
        case .report(let report): "report \(report)"
        case .leave: "leave"
        case .override(let override, let uid, _): "override \(override.command) by uid \(uid)"
        case .arbiter(.succeeded(let heartbeats)):
            "arbiter ok " + heartbeats.sorted { $0.key < $1.key }.map { "\($0.key)#\($0.value.counter)" }.joined(separator: " ")
        case .arbiter(.failed(let reason)): "arbiter failed: \(reason)"
        case .membersSupported(let nodes): "members supported by \(nodes.sorted().joined(separator: ","))"
        }
    }

    static func describe(_ message: Message) -> String {
        switch message {
        case .heartbeat(let term, let sequence, let admin, let committed, let holder, _):
            "heartbeat(t\(term) #\(sequence) admin \(admin.stamp) committed \(committed) holder \(holder ?? "-") mayHold \(admin.mayHold))"
        case .heartbeatAck(let term, let sequence, let admin, let holding):
            "ack(t\(term) #\(sequence) admin \(admin) holding \(holding))"
        default:
            "\(message)"
        }
    }

    static func describe(_ action: Action) -> String {
        switch action {
        case .persist(let state): "persist(t\(state.term) vote \(state.votedFor ?? "-") admin \(state.admin.stamp))"
        case .send(let to, let message): "send \(to) \(describe(message))"
        default: "\(action)"
        }
    }

    /// The real time until which `node`'s lease is valid according to the
    /// acknowledgements it really received (nil: not a leader).
    func groundTruthLease(of node: SimulatedNode, now: UInt64) -> UInt64? {
        guard let core = node.core, core.role == .leader else { return nil }
        var times = [now]
        if node.leaseTerm == core.term { times.append(contentsOf: node.leaseAcks.values) }
        guard times.count >= quorumSize else { return 0 }
        times.sort(by: >)
        return times[quorumSize - 1] + node.realDuration(timings.lease)
    }

    /// After one node processed an input: properties 2, 3 and the lease hand-over.
    mutating func observe(node: SimulatedNode, before: ElectionNode, nodes: [SimulatedNode], now: UInt64, twoNode: Bool) -> Violation? {
        guard let core = node.core else { return nil }
        if core.role == .leader {
            if let existing = leaders[core.term], existing != node.name {
                return Violation(property: .twoLeaders, time: now, detail: "\(existing) and \(node.name) both lead term \(core.term)")
            }
            if before.role != .leader || before.term != core.term {
                leaders[core.term] = node.name
                // Property 3: a new leader holds every change committed in an earlier term.
                let previous = before.persistent.admin.stamp
                if maxCommitted.term < core.term, previous < maxCommitted {
                    return Violation(property: .committedLost, time: now, detail: "\(node.name) leads term \(core.term) with admin \(previous), but \(maxCommitted) was committed")
                }
            }
            // two_node: a change committed while the peer was fenced lives on one
            // disk only (a documented limit, as with Pacemaker); property 3 is
            // checked for changes both nodes stored.
            if core.committed > maxCommitted, !twoNode || nodes.allSatisfy({ $0.durable.admin.stamp >= core.committed }) {
                maxCommitted = core.committed
            }
        }
        // Property 1 (lease): a leader claims its lease only after every other lease expired.
        if core.leaseClaimed && !node.wasLeaseClaimed && !twoNode {
            for other in nodes where other !== node {
                guard let otherCore = other.core, otherCore.role == .leader, otherCore.leaseClaimed,
                      let expiry = groundTruthLease(of: other, now: now), expiry > now else { continue }
                return Violation(
                    property: .leaseOverlap, time: now,
                    detail: "\(node.name) claims the lease of term \(core.term) while \(other.name)'s lease of term \(otherCore.term) runs \(Double(expiry - now) / 1e6)ms more")
            }
        }
        node.wasLeaseClaimed = core.leaseClaimed
        return nil
    }

    /// After every event: properties 1 (service) and 4, and 7 with the storage tie-breaker.
    func checkGlobal(nodes: [SimulatedNode], now: UInt64) -> Violation? {
        let holders = nodes.filter { $0.holding }
        if holders.count > 1 {
            return Violation(property: .twoHolders, time: now, detail: "\(holders.map(\.name).joined(separator: " and ")) hold the service")
        }
        for node in holders where !node.releasing && !node.isPaused(at: now) {
            // The lease's expiry is a deadline of the core: the node ticks at that instant (to
            // within the clock conversion's rounding and the runtime's 1 ms minimum) and releases.
            let grace: UInt64 = 2_000_000
            guard let core = node.core else { continue }
            guard let expiry = groundTruthLease(of: node, now: now) else {
                return Violation(property: .holdsWithoutQuorum, time: now, detail: "\(node.name) holds the service as \(core.role.rawValue) and is not releasing")
            }
            if expiry + grace < now {
                return Violation(property: .holdsWithoutQuorum, time: now, detail: "\(node.name) holds the service \(Double(now - expiry) / 1e6)ms after its lease expired (term \(core.term))")
            }
        }
        if config.usesStorageTieBreaker, let violation = checkStorageRelease(nodes: nodes, now: now) {
            return violation
        }
        return nil
    }
}
