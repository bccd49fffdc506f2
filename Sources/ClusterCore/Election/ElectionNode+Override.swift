/// Operator overrides (`Input.override`): `hactl fence confirm` and `hactl quorum unblock`.
/// Both lift a wait that exists for safety, so each is checked against everything this
/// node knows first, and refused with the reason (`overrideRefusal`) when it could be wrong.
extension ElectionNode {
    /// Why `override` is refused now (nil: it may be applied). `heard`: the peers the shell
    /// heard on each link within `failure_timeout` (any datagram, `LinkMonitor.heardLinks`).
    public func refusal(of override: OperatorOverride, heard: [HeardLink]) -> OverrideRefusal? {
        switch override {
        case let .confirmFenced(node): fenceConfirmRefusal(node, heard: heard)
        case .unblockQuorum: quorumUnblockRefusal(heard: heard)
        }
    }

    /// `fence confirm` is refused for a node with any sign of life (a link, the core's own
    /// contact, the disk heartbeat), on a node that is not the coordinator (only the
    /// coordinator waits for a fence; a follower's confirmation would be forgotten at the
    /// next election), and while a fence of the node is still running.
    func fenceConfirmRefusal(_ node: String, heard: [HeardLink]) -> OverrideRefusal? {
        guard config.node(named: node) != nil else { return .unknownNode(node, known: config.nodes.map(\.name)) }
        guard node != name else { return .localNode(node) }
        let links = heard.filter { $0.peer == node }
        if !links.isEmpty { return .heardAlive(node: node, links: links) }
        if let contact = lastHeard[node], now.since(contact) < timings.failureTimeout {
            return .heardRecently(node: node, ago: now.since(contact), failureTimeout: timings.failureTimeout)
        }
        if case let .alive(age) = storageVerdict(on: node) { return .aliveOnStorage(node: node, age: age) }
        guard role == .leader else { return .notCoordinator(node: name, leader: hearsLeader ? leader : nil) }
        if fencing == node { return .fenceInProgress(node: node) }
        if case .takingOver = service, persistent.admin.mayHold.contains(node), !confirmedReleased.contains(node) {
            // The takeover fences the nodes of the record first; this one's outcome is still to come.
            return .fenceInProgress(node: node)
        }
        return nil
    }

    /// `quorum unblock` is refused unless this full node waits for all after a cold start
    /// and sees more than half of the configured votes: then no partition of the nodes not
    /// seen can be quorate too. Never in `two_node` mode (one of two is no strict majority).
    func quorumUnblockRefusal(heard: [HeardLink]) -> OverrideRefusal? {
        if config.quorum.twoNode { return .twoNode }
        if leaving { return .leaving(name) }
        if isWitness { return .witness(name) }
        guard waitingForAll else {
            if !config.quorum.waitForAll { return .notWaiting(.disabled) }
            if let leader, hearsLeader { return .notWaiting(.leaderKnown(leader)) }
            return .notWaiting(.allSeen)
        }
        let present = config.nodes.map(\.name).filter { node in
            node == name || isOnline(node) || heard.contains { $0.peer == node }
        }
        guard present.count * 2 > votersCount else {
            return .noStrictMajority(votes: present.count, expected: votersCount, present: present)
        }
        return nil
    }

    mutating func apply(_ override: OperatorOverride, uid: UInt32, heard: [HeardLink]) {
        if let refusal = refusal(of: override, heard: heard) {
            overrideRefusal = refusal
            return
        }
        overrideRefusal = nil
        switch override {
        case let .confirmFenced(node):
            let pending = fenceFailure?.node == node || persistent.admin.mayHold.contains(node)
                || (config.quorum.twoNode && !fencedThisTerm.contains(node))
            event(.fenceOperatorConfirmed, .warning,
                  "uid \(uid) confirmed \(node) is down (hactl fence confirm): its fence counts as done"
                  + (pending ? "; the takeover goes on without it" : "; nothing was waiting for it"), uid: uid)
            // Exactly what a fence agent's success does: the node is released, shown fenced,
            // and taken off the record of possible holders.
            handle(.fenced(node: node))
            // A blocked takeover retries at once rather than after its backoff.
            if pending { retryNotBefore = nil }
        case .unblockQuorum:
            let missing = peers.filter { lastHeard[$0] == nil }
            waitingForAll = false
            event(.quorumUnblocked, .warning,
                  "uid \(uid) unblocked the quorum (hactl quorum unblock): no longer waiting for \(missing.isEmpty ? "the other nodes" : missing.joined(separator: ", ")) after the cold start", uid: uid)
            // Look for a leader within the jitter, as when the last missing peer is heard.
            if role == .follower, leader == nil {
                let jitter = UInt64(max(1, timings.electionJitter.nanoseconds))
                electionDeadline = min(electionDeadline, now + .nanoseconds(Int64(random.next(upperBound: jitter))))
            }
        }
    }
}
