/// What `hactl status` shows of a node that coordinates through etcd, in the terms of the
/// built-in backend's `ElectionStatus`, so that one renderer and one JSON schema serve both.
///
/// - The term is the leader key's create revision; the role is `leader` while this node
///   coordinates, `candidate` while it campaigns, `follower` otherwise.
/// - The quorum is etcd's: `expected` is the number of endpoints, `votes` those that answered
///   their last status check (`healthyMembers`), and `quorate` whether this node holds its lease
///   (it acts on nothing otherwise).
/// - A node is online while its presence key exists (bound to its lease); this node, while it
///   holds its lease; `standby` when online but the admin state keeps it from running the service.
/// - The holder is the holder record's node unless it released cleanly.
extension EtcdCoordinator {
    public func status(config: ClusterConfig, holderRecord: EtcdHolderRecord?, healthyMembers: Int) -> ElectionStatus {
        let expected = config.etcd?.endpoints.count ?? 0
        let role: ElectionRole = term != nil ? .leader : (phase == .campaigning ? .candidate : .follower)
        let nodes = config.serviceNodes.map { node in
            let liveness: ElectionStatus.Node.Liveness = !online.contains(node.name) ? .offline
                : Placement.ineligibility(of: node.name, config: config, admin: admin, wallClock: wallClock) == nil ? .online : .standby
            return ElectionStatus.Node(
                name: node.name, role: node.role, liveness: liveness,
                failures: admin.failureCount(of: node.name, at: wallClock, expiry: config.service.failureExpiry), fenced: false)
        }
        let placement: PlacementReason = admin.maintenance ? .maintenance : !admin.enabled ? .disabled : leaseValid ? .onLeader : .noQuorum
        let holder = holderRecord.flatMap { $0.state == .released ? nil : $0.node }
        let previous = holderRecord.flatMap { $0.node == self.node ? nil : $0.node }
        var fence: ElectionStatus.FenceFailure?
        if case .fencing = phase { fence = fenceFailure }
        return ElectionStatus(
            node: node,
            term: Term(UInt64(max(0, leader?.term ?? term ?? 0))),
            role: role,
            leader: leader?.node,
            quorum: .init(votes: healthyMembers, expected: expected, needed: expected / 2 + 1, quorate: leaseValid),
            nodes: nodes,
            holder: holder,
            previousHolder: previous,
            fenceFailure: fence,
            service: serviceState,
            placement: placement,
            admin: admin,
            committed: .zero)
    }

    /// The service on this node, as the core's `ServiceState` names it.
    public var serviceState: ServiceState {
        switch phase {
        case .recordingStarting(let term), .takingOver(let term), .recordingRunning(let term):
            .takingOver(term: Term(UInt64(max(0, term))))
        case .running(let term):
            .holding(term: Term(UInt64(max(0, term))))
        case .releasing:
            .releasing(releaseReason ?? .lostLeadership)
        default:
            .idle
        }
    }

    /// Where a planned leave is, as the built-in backend's `LeaveProgress` names it.
    public var leaveProgress: LeaveProgress {
        switch phase {
        case .left: .done
        case .releasing: .releasing
        case .recordingReleased, .resigning: .handingOver
        default: isLeaving ? .releasing : .notLeaving
        }
    }
}
