/// The storage tie-breaker (`[quorum] two_node = true`, `tie_breaker = "storage"`): the
/// disk heartbeat decides what a lost network peer means.
///
/// - The peer's heartbeat advances: it is alive, the network is split. Nobody fences; the
///   holder (always the leader) keeps the service; the other node neither campaigns against a
///   peer that leads on storage nor takes over.
/// - The peer's heartbeat stood still for `storage_timeout` in reads that succeeded: it is
///   dead or cut from the storage. It is fenced at once (no `race_delay`), then taken over from.
/// - Not known yet (fewer reads than that): wait; the holder keeps the service meanwhile.
/// - This node's own cycles failed for `storage_timeout`: it cannot prove it is alive, and
///   the service's data is out of its reach. It never fences, never takes over; if it held the
///   service it releases it (counted as a fatal failure: it is ineligible until `hactl cleanup`
///   or `failure_expiry`, so a standby that kept or regained the storage takes over).
extension ElectionNode {
    mutating func recordArbiterCycle(_ cycle: ArbiterCycle) {
        guard var arbiter else { return }
        switch cycle {
        case .succeeded(let heartbeats):
            arbiter.cycleSucceeded(heartbeats: heartbeats.filter { $0.key != name }, now: now)
        case .failed(let reason):
            arbiter.cycleFailed(reason: reason, now: now)
        }
        self.arbiter = arbiter
        announceStorageChanges()
    }

    /// A follower whose peer is lost on the network and proven silent on storage campaigns now,
    /// once the minimum election timeout (`failure_timeout` since its last leader contact) has
    /// passed, instead of waiting out its election jitter or the next look of a held-back
    /// election (`electionTimeout` looks again one heartbeat interval after holding back for a
    /// leader that still wrote its disk heartbeat). The jitter keeps candidates from splitting
    /// votes; a peer silent on storage and on the network is no candidate, and in two_node mode
    /// this node's own vote wins, so the silent peer is fenced in the same step. Nothing about the
    /// fence changes: it still needs the silent verdict (`storageDecidesLostPeer`), which needs
    /// `storage_timeout` of unchanged reads. Called after every input.
    mutating func campaignIfPeerSilent() {
        guard arbiter != nil, config.quorum.twoNode, role == .follower || role == .preCandidate,
              !isWitness, isMember, !leaving, !waitingForAll, now < electionDeadline,
              sinceLeaderContact >= timings.failureTimeout,
              let peer = peers.first, !isOnline(peer), case .silent = storageVerdict(on: peer) else { return }
        electionTimeout()
    }

    /// This node's own access to the storage is lost (no good cycle for `storage_timeout`).
    var ownStorageLost: Bool {
        guard let arbiter else { return false }
        return arbiter.ownAccessLost(now: now)
    }

    /// What the disk heartbeat says of `peer` now.
    func storageVerdict(on peer: String) -> StorageArbiter.Verdict {
        guard let arbiter else { return .unknown }
        if mutations.contains(.shortStorageTimeout) {
            var hasty = arbiter
            hasty.shortenTimeout(to: arbiter.storageTimeout / 5)
            return hasty.verdict(on: peer, now: now)
        }
        return arbiter.verdict(on: peer, now: now)
    }

    /// The peer this node must not campaign against: lost on the network, alive on storage,
    /// and leading (its last record says so).
    var peerLeadingOnStorageOnly: String? {
        guard arbiter != nil, let peer = peers.first, !isOnline(peer) else { return nil }
        guard case .alive = storageVerdict(on: peer), arbiter?.heartbeat(of: peer)?.leader == true else { return nil }
        return peer
    }

    /// The two_node rule for a lost peer with the tie-breaker; true: reconcileService must stop here.
    /// Returns false with `fenceNow` set when the peer is to be fenced at once.
    mutating func storageDecidesLostPeer(_ peer: String, fenceNow: inout Bool) -> Bool {
        switch storageVerdict(on: peer) {
        case .silent:
            fenceNow = true
            return false
        case .alive:
            placementReason = .peerAliveOnStorage(peer)
        case .unknown:
            placementReason = .waitingForStorage(peer)
        }
        // The holder keeps what it runs; the other node waits for the network or the verdict.
        return !service.mayRun
    }

    /// A leader whose own access to the storage is lost: releases and counts it (once per loss).
    /// True while the access is lost.
    mutating func releaseIfStorageLost() -> Bool {
        guard arbiter != nil, ownStorageLost, !mutations.contains(.keepServiceWithoutStorage) else { return false }
        placementReason = .storageLost
        let held = service.mayRun
        if held, !service.isReleasing {
            release(.storageLost)
        }
        // Counted against a node that had to give the service up, not against a standby: when the
        // storage goes away for both (the NAS restarts), the standby takes over once it is back.
        if arbiter?.lossRecorded == false {
            arbiter?.lossRecorded = true
            if held { recordFailure(fatal: true) }
        }
        return true
    }

    /// Events when a verdict or this node's own access changes (called on every tick and cycle).
    mutating func announceStorageChanges() {
        guard var arbiter else { return }
        arbiter.begin(at: now)
        let lost = arbiter.ownAccessLost(now: now)
        if lost != arbiter.ownLostAnnounced {
            arbiter.ownLostAnnounced = lost
            if lost {
                let why = arbiter.lastError.map { ": \($0)" } ?? ""
                event(.arbiterStorageLost, .error, "no disk heartbeat succeeded for \(DurationText.format(arbiter.storageTimeout))\(why); "
                    + "this node can no longer prove it is alive\(service.mayRun ? ": releasing the service" : "")")
            } else {
                arbiter.lossRecorded = false
                event(.arbiterStorageRestored, .notice, "disk heartbeat written and read again")
            }
        }
        for peer in peers {
            let verdict = arbiter.verdict(on: peer, now: now)
            let online = isOnline(peer)
            // Announced only while the network has lost the peer: that is when the verdict decides.
            let label = online ? "network" : verdict.description
            guard arbiter.announced[peer] != label else { continue }
            arbiter.announced[peer] = label
            switch (online, verdict) {
            case (false, .alive):
                event(.arbiterPeerAlive, .warning, "peer \(peer) lost on the network but alive on storage only: a network split; "
                    + (service.mayRun ? "keeping the service, no fence" : "not fencing, not taking over"))
            case (false, .silent(let still)):
                event(.arbiterPeerSilent, .warning, "peer \(peer) lost on the network and silent on storage for "
                    + "\(DurationText.format(still)): dead or cut from the storage")
            default:
                break
            }
        }
        self.arbiter = arbiter
    }
}
