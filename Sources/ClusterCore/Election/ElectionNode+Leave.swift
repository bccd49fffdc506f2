/// A planned leave (`Input.leave`): the stop of the daemon is a handover, not a failure.
///
/// A leaving leader does what placement does when its leader becomes ineligible
/// (`hactl move`): release, remove itself from `mayHold` in a committed snapshot,
/// then `timeoutNow` to the best node, which campaigns at once and finds nothing
/// to fence. A leaving node never campaigns and ignores `timeoutNow`. It is done
/// once it runs nothing, is no leader, has told a leader so and knows the snapshot
/// without it is committed (or, not named in `mayHold`, heard no leader for
/// `failure_timeout`: nobody is left to tell). A node named in `mayHold` without
/// a leader to clear it never gets done: the daemon's bound falls back to
/// releasing locally and exiting (a later leader may fence it).
extension ElectionNode {
    mutating func startLeaving() {
        guard !leaving else { return }
        leaving = true
        event(.nodeLeaving, .notice, role == .leader
            ? "leaving the cluster: handing the service and leadership over"
            : "leaving the cluster")
        if role == .preCandidate || role == .candidate {
            becomeFollower(term: term, leader: nil)
        }
    }

    public var leaveProgress: LeaveProgress {
        guard leaving else { return .notLeaving }
        if service.mayRun { return .releasing }
        if role == .leader {
            if persistent.admin.mayHold.contains(name) || committed < persistent.admin.stamp { return .recording }
            return .handingOver
        }
        let recorded = !persistent.admin.mayHold.contains(name)
        // Told a leader "nothing runs here", and the snapshot without this node is
        // committed: no later leader can have this node in `mayHold`.
        if leaveAnnounced, recorded, committed >= persistent.admin.stamp { return .done }
        if leaveAnnounced, mutations.contains(.leaveBeforeRecorded) { return .done }
        // No leader heard for a failure timeout: nobody is left to tell. Not named
        // in the last snapshot it stored, so a later leader has no reason to fence it.
        if recorded, sinceLeaderContact >= timings.failureTimeout { return .doneWithoutLeader }
        return leaveAnnounced && recorded ? .recording : .tellingLeader
    }

    /// The leader's side of a leave; runs in `reconcileService` instead of placement.
    mutating func reconcileLeave() {
        placementReason = .leaving
        if service.mayRun {
            if !service.isReleasing { release(.leaving) }
            return
        }
        if persistent.admin.mayHold.contains(name) {
            updateAdmin { [name] in $0.mayHold.removeAll { $0 == name } }
        }
        guard committed >= persistent.admin.stamp else { return }
        let others = Set(peers.filter { isOnline($0) })
        let target = Placement.bestNode(config: config, admin: persistent.admin, online: others, lastActive: holder, wallClock: wallClock)
            ?? config.serviceNodes.first { others.contains($0.name) }?.name
        guard let target else {
            event(.leadershipStepDown, .notice, "leaving: no node can take leadership over; stepping down")
            leaveAnnounced = true
            becomeFollower(term: term, leader: nil)
            return
        }
        // Relinquish the lease first: the target will not wait for it.
        leaseClaimed = false
        leaseClaimAt = nil
        transferDeadline = now + timings.transferTimeout
        event(.leadershipTransfer, .notice, "leaving: handing leadership to \(target)")
        send(.timeoutNow(term: term), to: target)
    }
}
