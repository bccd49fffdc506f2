/// Membership: the recorded member list and `hactl node add` / `node remove`.
///
/// The rules are Raft's single-server changes, on the replicated admin snapshot:
/// - each node counts votes, lease acknowledgements and copies on the newest member list it
///   stored (committed or not), so a change takes effect on a node as soon as it has it;
/// - a leader accepts a change only while everything it wrote is committed, which includes a
///   snapshot of its own term (the restamp of `becomeLeader`): at most one change is ever
///   pending, so any majority of the old list and any majority of the new one share a node;
/// - one node per change.
/// Two changes in flight at once can give two disjoint majorities (old list {a,b,c}, then
/// {a,b,c,d,e} with d and e added back to back: {b,c} and {a,d,e} both decide); a scripted
/// scenario with the pending rule mutated away shows it (`MembershipTests`, `concurrentMembership`).
extension ElectionNode {
    /// A leader records the configured nodes as the member list once every configured peer
    /// decodes member lists (a node of an earlier release would drop heartbeats carrying one).
    mutating func recordMembersIfDue() {
        guard role == .leader, persistent.admin.voters == nil,
              contacts.allSatisfy({ peersSupportingMembers.contains($0) }) else { return }
        let names = config.nodes.map(\.name)
        event(.membershipChange, .notice, "member list recorded: \(names.joined(separator: ", "))")
        // A new version like any change (persisted first), carried by the next regular
        // heartbeat: nothing waits for it, so no extra round of datagrams.
        persistent.admin.voters = names
        persistent.admin.stamp = AdminStamp(term: term, version: persistent.admin.stamp.version.next)
    }

    /// `node add` / `node remove` applied to `admin`, or why not (see the type's rules).
    func appliedMembership(_ command: AdminCommand, to admin: inout AdminState) -> CommandRejection? {
        guard let voters = admin.voters else { return .membersNotRecorded }
        if config.quorum.twoNode { return .twoNodeMembership }
        if committed < persistent.admin.stamp, !mutations.contains(.concurrentMembership) {
            return .changePending(persistent.admin.stamp.version)
        }
        switch command {
        case .addNode(let node):
            guard config.node(named: node) != nil else { return .unknownNode(node) }
            if voters.contains(node) { return .alreadyMember(node) }
            guard isOnline(node) else { return .nodeNotHeard(node) }
            admin.voters = voters + [node]
        case .removeNode(let node):
            guard voters.contains(node) else { return .notMember(node) }
            if node == name { return .removingLeader(node) }
            if currentHolder == node || admin.mayHold.contains(node) { return .nodeRunsService(node) }
            admin.voters = voters.filter { $0 != node }
            admin.standby.removeAll { $0 == node }
            admin.constraints.removeAll { $0.node == node }
            admin.failures.removeAll { $0.node == node }
        default:
            preconditionFailure("not a membership command: \(command)")
        }
        return nil
    }
}
