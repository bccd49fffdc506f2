/// Heartbeats, acknowledgements, the lease (CheckQuorum) and commitment of the admin snapshot.
extension ElectionNode {
    /// When the lease runs out: the quorum-th newest acknowledged heartbeat send
    /// time (the leader counts itself as acknowledging now) plus the lease.
    public var leaseExpiry: Instant {
        var times = [now]
        for peer in peers {
            if let sent = ackedSendTime[peer] { times.append(sent) }
        }
        guard times.count >= quorumSize else { return .zero }
        times.sort(by: >)
        return times[quorumSize - 1] + timings.lease
    }

    mutating func leaderTimers() {
        // CheckQuorum first: a leader resuming from a long pause must not act
        // (not even send a heartbeat) before it knows its lease is gone.
        if leaseExpiry <= now, !mutations.contains(.disableCheckQuorum) {
            event(.leaseLost, .warning, "no quorum acknowledged term \(term) within \(timings.lease); stepping down")
            if service.mayRun, !service.isReleasing { release(.lostQuorum) }
            becomeFollower(term: term, leader: nil)
            return
        }
        if let deadline = transferDeadline, now >= deadline {
            event(.leadershipTransferFailed, .warning, "leadership transfer did not complete in \(timings.transferTimeout); stepping down")
            becomeFollower(term: term, leader: nil)
            return
        }
        lastLeaderContact = now
        claimLeaseIfDue()
        if now >= nextHeartbeat { broadcastHeartbeat() }
    }

    mutating func claimLeaseIfDue() {
        guard role == .leader, let claimAt = leaseClaimAt, now >= claimAt else { return }
        // A lease is only as fresh as the acknowledgements behind it. A candidate
        // paused mid-campaign may win on votes cast long ago: by now a later
        // leader may hold the lease those voters have since granted. Never claim
        // an already expired lease; CheckQuorum steps down on the next tick.
        guard leaseExpiry > now || mutations.contains(.disableCheckQuorum) else { return }
        leaseClaimAt = nil
        leaseClaimed = true
        event(.leaseClaimed, .info, "lease of term \(term) claimed")
    }

    mutating func broadcastHeartbeat() {
        heartbeatSequence += 1
        heartbeatSent[heartbeatSequence] = now
        if heartbeatSent.count > 64 {
            let horizon = now - timings.failureTimeout * 2
            heartbeatSent = heartbeatSent.filter { $0.value >= horizon }
        }
        nextHeartbeat = now + timings.heartbeatInterval
        if service.mayRun && !service.isReleasing { holder = name }
        let members = config.nodes.map(\.name).filter { isOnline($0) }
        let message = Message.heartbeat(
            term: term, sequence: heartbeatSequence, admin: persistent.admin,
            committed: committed, holder: holder, members: members)
        // Learners too: they store the snapshot and follow, so that `node add` finds them current.
        for peer in contacts {
            send(message, to: peer)
        }
    }

    mutating func handleHeartbeat(term leaderTerm: Term, sequence: UInt64, admin: AdminState, committed leaderCommitted: AdminStamp, holder leaderHolder: String?, members: [String], from: String) {
        if leaderTerm < term {
            // Tell the stale leader about the newer term.
            send(.heartbeatAck(term: term, sequence: sequence, admin: persistent.admin.stamp, holding: service.mayRun), to: from)
            return
        }
        if leaderTerm > term || role != .follower || leader != from {
            becomeFollower(term: leaderTerm, leader: from)
        }
        lastLeaderContact = now
        waitingForAll = false
        resetElectionDeadline()
        if admin.stamp > persistent.admin.stamp {
            // Stored (persisted first) before the acknowledgement below. Only
            // newer: a reordered older heartbeat of this leader must not roll back.
            // (A leader always restamps in its own term, so its snapshot
            // supersedes any written by an earlier leader.)
            persistent.admin = admin
        }
        committed = min(leaderCommitted, persistent.admin.stamp)
        holder = leaderHolder
        if let leaderHolder, leaderHolder != name { previousHolder = leaderHolder }
        leaderMembers = members
        send(.heartbeatAck(term: term, sequence: sequence, admin: persistent.admin.stamp, holding: service.mayRun), to: from)
        if leaving, !service.mayRun { leaveAnnounced = true }
    }

    mutating func handleHeartbeatAck(term ackTerm: Term, sequence: UInt64, admin: AdminStamp, holding: Bool, from: String) {
        if ackTerm > term {
            becomeFollower(term: ackTerm, leader: nil)
            return
        }
        guard role == .leader, ackTerm == term else { return }
        if let sent = heartbeatSent[sequence] {
            ackedSendTime[from] = max(ackedSendTime[from] ?? .zero, sent)
        }
        matchStamp[from] = max(matchStamp[from] ?? .zero, admin)
        // A fenced peer is back and stores our snapshot: count it again.
        fencedThisTerm.remove(from)
        // A follower never starts the service, so "not holding" in this term stays true.
        if !holding { confirmedReleased.insert(from) }
        advanceCommit()
    }

    /// Commits the quorum-th highest stored stamp, only if written in this term
    /// (Raft: a leader commits by counting replicas of its own term only).
    mutating func advanceCommit() {
        guard role == .leader else { return }
        var stamps = [persistent.admin.stamp]
        for peer in peers {
            if let stamp = matchStamp[peer] { stamps.append(stamp) }
        }
        guard stamps.count >= commitQuorum else { return }
        stamps.sort(by: >)
        let candidate = stamps[commitQuorum - 1]
        guard candidate.term == term, candidate > committed else { return }
        committed = candidate
        answerCommittedCommands()
    }

    /// Changes the admin snapshot as leader: new version in this term,
    /// persisted before the heartbeat that carries it.
    mutating func updateAdmin(_ change: (inout AdminState) -> Void) {
        precondition(role == .leader, "only the leader writes the admin snapshot")
        var admin = persistent.admin
        change(&admin)
        admin.stamp = AdminStamp(term: term, version: persistent.admin.stamp.version.next)
        persistent.admin = admin
        broadcastHeartbeat()
        advanceCommit()
    }
}
