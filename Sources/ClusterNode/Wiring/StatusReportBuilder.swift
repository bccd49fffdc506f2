import ClusterHost
import ClusterCore
import Fencing

/// Turns what the runtime knows (`RuntimeStatus`) into the spec's `hactl status`
/// object (`StatusReport`) and into systemd's one-line `StatusText`. Pure.
struct StatusReportBuilder {
    let config: ClusterConfig
    let localNode: String

    struct Extras {
        var wallClock: UInt64
        var fenceDevices: [DeviceHealth] = []
        var lastFailover: StatusReport.Failover?
        /// When the service entered its current state (tracked by the daemon).
        var serviceSince: UInt64?
        var health: StatusReport.Health?
        /// Other warnings for the operator (`UnitAudit`).
        var warnings: [String] = []
        /// The arbiter file, its I/O mode and counters once open (`ArbiterMonitor`), with the tie-breaker.
        var arbiterFile: ArbiterMonitor.View?
    }

    func report(_ runtime: RuntimeStatus, _ extras: Extras) -> StatusReport {
        let election = runtime.election
        let admin = election.admin
        let holder = election.holder
        let nodes = election.nodes.map { node -> StatusReport.Node in
            let configured = config.node(named: node.name)
            let state: StatusReport.NodeState
            switch node.liveness {
            case _ where node.fenced:
                // Fenced by this daemon and not heard from since.
                state = .fenced
            case .online: state = .online
            case .standby: state = .standby
            case .offline:
                // Failed while it may still run the service, and not yet fenced.
                state = admin.mayHold.contains(node.name) ? .unclean : .offline
            }
            let role: StatusReport.NodeRole = node.role == .witness ? .witness : (node.name == holder ? .active : .standby)
            let told = node.name == localNode ? runtime.localInfo : runtime.peerInfo[node.name]
            let heard = lastHeard(of: node.name, runtime)
            return StatusReport.Node(
                name: node.name, state: state, role: role, priority: configured?.priority,
                lastSeen: heard.map { UTCTimestamp(secondsSinceEpoch: Int64(extras.wallClock) - Int64($0.components.seconds)) },
                version: told?.software, configDigest: told?.config.summary, service: told?.service?.name,
                lastHeardMilliseconds: heard?.wholeMilliseconds, member: node.member)
        }
        var failures: [String: Int] = [:]
        for node in config.serviceNodes {
            failures[node.name] = admin.failureCount(of: node.name, at: extras.wallClock, expiry: config.service.failureExpiry)
        }
        let (state, reason) = serviceState(election, holderPhase: holderPhase(runtime))
        let warnings = ConfigAgreement.warnings(local: (localNode, runtime.localInfo), peers: runtime.peerInfo) + extras.warnings
        let service = StatusReport.Service(
            name: config.service.name, state: state, node: serviceNode(election, state: state), enabled: admin.enabled,
            failures: failures, since: extras.serviceSince.map { UTCTimestamp(secondsSinceEpoch: Int64($0)) },
            health: extras.health, units: config.service.units, reason: reason)
        let constraints = admin.constraints
            .filter { $0.isActive(at: extras.wallClock) }
            .map { constraint in
                StatusReport.Constraint(
                    kind: constraint.kind == .ban ? .ban : .prefer, node: constraint.node,
                    expires: constraint.expires.map { UTCTimestamp(secondsSinceEpoch: Int64($0)) })
            }
        let devices = config.fencing.devices.map { device -> StatusReport.FenceDevice in
            let health = extras.fenceDevices.first { $0.device == device.name }
            let state: StatusReport.FenceDevice.State
            switch health?.state {
            case .ok: state = .ok
            case .failing: state = .failing
            case .unknown, nil: state = .unknown
            }
            return StatusReport.FenceDevice(
                name: device.name, agent: device.agent, nodes: device.nodes + device.hostMap.keys.sorted(), level: device.level,
                state: state, checked: health?.lastCheck.map { UTCTimestamp(secondsSinceEpoch: Int64($0)) },
                detail: health?.lastError)
        }
        return StatusReport(
            cluster: config.cluster.name, node: localNode, term: election.term.rawValue, coordinator: election.leader,
            quorum: .init(quorate: election.quorum.quorate, votes: election.quorum.votes, expected: election.quorum.expected),
            maintenance: admin.maintenance, nodes: nodes, service: service, constraints: constraints,
            time: UTCTimestamp(secondsSinceEpoch: Int64(extras.wallClock)),
            fencing: StatusReport.Fencing(enabled: config.fencing.enabled, devices: devices),
            lastFailover: extras.lastFailover,
            warnings: warnings.isEmpty ? nil : warnings,
            links: links(runtime.links),
            arbiter: arbiter(election.arbiter, file: extras.arbiterFile),
            wire: config.cluster.backend == .etcd
                ? nil : StatusReport.Wire(incarnation: runtime.incarnation, counters: runtime.wire, inboundDropped: runtime.inboundDropped),
            backend: config.cluster.backend.rawValue,
            etcd: runtime.etcd)
    }

    /// The disk heartbeat as the core judges it, with a one-line verdict.
    func arbiter(_ status: ArbiterStatus?, file: ArbiterMonitor.View?) -> StatusReport.Arbiter? {
        guard let status else { return nil }
        let slots = status.peers.map { peer in
            StatusReport.Arbiter.Slot(
                node: peer.name, verdict: peer.verdict.description, ageMilliseconds: peer.sinceAdvanced?.wholeMilliseconds,
                counter: peer.counter, holding: peer.holding, networkLost: peer.networkLost)
        }
        var verdicts: [String] = []
        if status.ownAccessLost {
            verdicts.append("this node lost the storage: it cannot prove it is alive, it runs nothing")
        }
        for peer in status.peers where peer.networkLost {
            switch peer.verdict {
            case .alive: verdicts.append("peer \(peer.name) alive on storage only (network split): no fence, the holder keeps the service")
            case .silent: verdicts.append("peer \(peer.name) silent on storage and on the network: fenced before a takeover")
            case .unknown: verdicts.append("peer \(peer.name) lost on the network; the disk heartbeat cannot tell yet")
            }
        }
        if verdicts.isEmpty { verdicts.append("every peer heard on the network and on storage") }
        return StatusReport.Arbiter(
            file: file?.file ?? config.storage.arbiterFile, io: file?.ioMode,
            storageTimeoutMilliseconds: status.storageTimeout.wholeMilliseconds,
            access: status.ownAccessLost ? .lost : .ok, lastWriteMilliseconds: status.sinceGoodCycle?.wholeMilliseconds,
            error: status.lastError, slots: slots, verdict: verdicts.joined(separator: "; "),
            ioCounters: file?.counters.map {
                StatusReport.Arbiter.IOCounters(reads: $0.reads, writes: $0.writes, bytesRead: $0.bytesRead, bytesWritten: $0.bytesWritten)
            })
    }

    /// Each peer on each local link: up when heard within `failure_timeout`, else down.
    func links(_ links: [RuntimeStatus.Link]) -> [StatusReport.Link] {
        links.map { link in
            let up = link.lastHeard.map { $0 <= config.cluster.failureTimeout } ?? false
            return StatusReport.Link(
                node: link.peer, link: link.link, localAddress: link.localAddress, state: up ? .up : .down,
                lastHeardMilliseconds: link.lastHeard?.wholeMilliseconds)
        }
    }

    /// What an operator can do when a node and its fence device are gone together (pcs's
    /// `stonith confirm`): said beside every fencing failure that blocks the service.
    static func confirmHint(_ node: String) -> String {
        " (if \(node) is powered off, `hactl fence confirm \(node)` lets the takeover go on)"
    }

    /// What the peer holding the service told of its takeover (nil: this node holds it, nobody
    /// does, or the holder did not tell).
    func holderPhase(_ runtime: RuntimeStatus) -> NodeInfo.ServicePhase? {
        guard let holder = runtime.election.holder, holder != localNode else { return nil }
        return runtime.peerInfo[holder]?.service
    }

    /// The service's state (spec vocabulary) and, when it is not where it should be, why.
    /// `holderPhase`: what a peer that holds the service told of its takeover (nil: not told).
    func serviceState(_ election: ElectionStatus, holderPhase: NodeInfo.ServicePhase? = nil) -> (StatusReport.ServiceState, String?) {
        // Fencing failed: blocked while idle and while the retry fences again (the core
        // retries with backoff and never starts without a successful fence).
        if let failure = election.fenceFailure, !election.service.isHolding, election.leader == localNode {
            return (.blocked, "fencing \(failure.node) failed: \(failure.reason); retrying\(Self.confirmHint(failure.node))")
        }
        switch election.service {
        case .takingOver: return (.starting, nil)
        case .holding: return (.started, nil)
        case let .releasing(reason): return (.stopping, reason.rawValue)
        case .idle: break
        }
        // The core names itself holder from the start of a takeover; idle here means that
        // takeover did not happen (fencing failed, a step failed): the placement says why.
        if let holder = election.holder, holder != localNode {
            switch holderPhase {
            case .started?, nil: return (.started, nil)
            case .starting?: return (.starting, "\(holder) is taking over")
            case .idle?: return (.starting, "\(holder) is about to take over")
            case .stopping?: return (.stopping, "\(holder) is releasing it")
            }
        }
        switch election.placement {
        case .disabled: return (.stopped, "disabled")
        case .maintenance: return (.stopped, "maintenance mode")
        case .noQuorum: return (election.admin.enabled ? .blocked : .stopped, "no quorum")
        case .noEligibleNode: return (.blocked, "no eligible node")
        case let .fenceFailed(node): return (.blocked, "fencing \(node) failed; retrying\(Self.confirmHint(node))")
        case .takeoverFailed: return (.failed, "the last takeover failed; retrying")
        case .waitingForLease: return (.starting, "waiting for the previous leader's lease to expire")
        case let .waitingForRelease(node): return (.starting, "waiting for \(node) to release the service")
        case .waitingForCommit: return (.starting, "waiting for a quorum to record the new holder")
        case .leaving: return (.starting, "the coordinator is stopping; handing the service over")
        case let .peerAliveOnStorage(node): return (.blocked, "peer \(node) alive on storage only (network split); it keeps the service")
        case let .waitingForStorage(node): return (.starting, "peer \(node) lost on the network; waiting for the disk heartbeat's verdict")
        case .storageLost: return (.blocked, "this node lost its access to the shared storage")
        case let .preferred(node): return (.starting, "moving to \(node)")
        case let .leaderIneligible(why): return (.starting, "moving away from the coordinator: \(why)")
        case .onLeader:
            guard election.admin.enabled else { return (.stopped, nil) }
            // A follower does not hear the coordinator's placement; what it can tell is that no
            // node may run the service (every one offline, in standby, banned or failed).
            let eligible = election.nodes.contains { $0.role != .witness && $0.liveness == .online }
            return eligible ? (.starting, nil) : (.blocked, "no eligible node")
        }
    }

    private func serviceNode(_ election: ElectionStatus, state: StatusReport.ServiceState) -> String? {
        if state == .blocked { return nil }
        if election.service.mayRun { return localNode }
        if let holder = election.holder, holder != localNode { return holder }
        return nil
    }

    /// How long ago `node` was last heard on any link: nil for this node and for a peer never heard.
    private func lastHeard(of node: String, _ runtime: RuntimeStatus) -> Duration? {
        guard node != localNode else { return nil }
        return runtime.links.filter { $0.peer == node }.compactMap(\.lastHeard).min()
    }

    /// systemd's `StatusText`: `active dataiku; leader dss1; quorate 3/3`.
    func daemonStatus(_ election: ElectionStatus) -> DaemonStatus {
        let local = config.node(named: localNode)
        let role: DaemonStatus.Role
        switch election.service {
        case .holding, .takingOver: role = .active(service: config.service.name)
        case .releasing: role = .stopping
        case .idle: role = local?.role == .witness ? .witness : .standby
        }
        return DaemonStatus(
            role: role, leader: election.leader,
            votes: (election.quorum.votes, election.quorum.expected), quorate: election.quorum.quorate)
    }
}

extension ServiceState {
    var isHolding: Bool {
        if case .holding = self { return true }
        return false
    }
}
