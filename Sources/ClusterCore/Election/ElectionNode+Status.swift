extension ElectionNode {
    /// What this node knows, for `hactl status`. `now`/`wallClock` of the last step.
    public var status: ElectionStatus {
        let leaderHeard = role == .leader || hearsLeader
        let online: Set<String> = {
            var set = Set(config.nodes.map(\.name).filter { isOnline($0) })
            if role != .leader, leaderHeard { set.formUnion(leaderMembers) }
            return set
        }()
        let nodes = config.nodes.map { node -> ElectionStatus.Node in
            let failures = persistent.admin.failureCount(of: node.name, at: wallClock, expiry: config.service.failureExpiry)
            let liveness: ElectionStatus.Node.Liveness
            if !online.contains(node.name) {
                liveness = .offline
            } else if node.role == .full, members.contains(node.name),
                      Placement.ineligibility(of: node.name, config: config, admin: persistent.admin, wallClock: wallClock) != nil {
                liveness = .standby
            } else {
                liveness = .online
            }
            return ElectionStatus.Node(
                name: node.name, role: node.role, liveness: liveness, failures: failures,
                fenced: fencedAndSilent.contains(node.name), member: members.contains(node.name))
        }
        // A member this node's configuration no longer lists still counts for quorum: shown.
        let unconfigured = members.filter { config.node(named: $0) == nil }.map {
            ElectionStatus.Node(name: $0, role: .full, liveness: online.contains($0) ? .online : .offline, failures: 0, fenced: false, member: true)
        }
        return ElectionStatus(
            node: name,
            term: term,
            role: role,
            leader: leaderHeard ? leader : nil,
            quorum: .init(votes: online.intersection(members).count, expected: votersCount, needed: quorumSize, quorate: leaderHeard && (role != .leader || leaseExpiry > now)),
            nodes: nodes + unconfigured,
            holder: currentHolder,
            previousHolder: previousHolder,
            fenceFailure: role == .leader ? fenceFailure : nil,
            service: service,
            placement: role == .leader ? placementReason : (leaderHeard ? .onLeader : .noQuorum),
            admin: persistent.admin,
            committed: committed,
            arbiter: arbiter?.status(now: now, peers: peers, networkLost: { !isOnline($0) }))
    }
}
