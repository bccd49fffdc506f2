/// Placement on the leader, takeover and release, and the shell's reports.
extension ElectionNode {
    mutating func release(_ reason: ReleaseReason) {
        guard service.mayRun, !service.isReleasing else { return }
        service = .releasing(reason)
        if holder == name { holder = nil }
        event(.serviceRelease, reason == .placement || reason == .disabled || reason == .leaving ? .info : .warning, "releasing the service: \(reason.rawValue)")
        emit(.release(reason))
    }

    mutating func handle(_ report: ResourceReport) {
        switch report {
        case .takeoverSucceeded(let reportTerm):
            guard case .takingOver(let pending) = service, pending == reportTerm else { return }
            service = .holding(term: reportTerm)
            retryCount = 0
            fenceFailure = nil
            event(.serviceStarted, .notice, "service running here (term \(reportTerm))")
        case .takeoverFailed(let reportTerm, let reason), .startFailed(let reportTerm, let reason):
            guard case .takingOver(let pending) = service, pending == reportTerm else { return }
            service = .idle
            placementReason = .takeoverFailed
            let fatal: Bool
            if case .startFailed = report { fatal = true } else { fatal = false }
            event(.serviceTakeoverFailed, .error, "takeover failed: \(reason)\(fatal ? "; this node no longer runs the service until `hactl cleanup \(name)` or failure_expiry" : "")")
            recordFailure(fatal: fatal)
            scheduleRetry()
        case .fenced(let node):
            // No event: the shell that fenced logged it (`fence.succeeded`, with level,
            // devices and duration); one fence is one event.
            confirmedReleased.insert(node)
            fencedAndSilent.insert(node)
            if fenceFailure?.node == node { fenceFailure = nil }
            lastHeard[node] = nil
            if fencing == node { fencing = nil }
            if role == .leader { fencedThisTerm.insert(node) }
            if role == .leader, persistent.admin.mayHold.contains(node) {
                updateAdmin { $0.mayHold.removeAll { $0 == node } }
            }
        case .fenceFailed(let node, let reason):
            // No event here either: the shell logged the failure (`fence.failed`).
            if fencing == node {
                // The two_node peer fence, not part of a takeover.
                fencing = nil
                fenceFailure = .init(node: node, reason: reason)
                placementReason = .fenceFailed(node)
                scheduleRetry()
            } else if case .takingOver = service {
                // A takeover is over only when the shell says so: the real shell
                // touches nothing before fencing succeeds, but until it reports
                // `.released` this node may still hold a step of it. Leaving
                // `takingOver` silently let a later step-down or leadership
                // transfer skip the release (simulation seed 54465).
                placementReason = .fenceFailed(node)
                fenceFailure = .init(node: node, reason: reason)
                release(.fenceFailed)
                scheduleRetry()
            }
        case .released:
            guard service.isReleasing else { return }
            service = .idle
            event(.serviceStopped, .info, "service released")
            if role == .leader, persistent.admin.mayHold.contains(name) {
                updateAdmin { [name] in $0.mayHold.removeAll { $0 == name } }
            }
        case .serviceFailed(let reason):
            guard case .holding = service else { return }
            if persistent.admin.maintenance {
                // Maintenance protects manual work: a unit stopped by hand is no failure.
                // `maintenance off` adopts what it finds (the shell starts stopped units).
                event(.serviceFailedIgnored, .notice, "in maintenance mode, not acting on: \(reason)")
                return
            }
            event(.serviceFailed, .warning, "service failed: \(reason)")
            recordFailure()
            if case let .holding(term) = service, mayRestartInPlace {
                // Pacemaker's recovery: restart where it runs; the lock and addresses stay.
                service = .takingOver(term: term)
                let failures = persistent.admin.failureCount(of: name, at: wallClock, expiry: config.service.failureExpiry)
                event(.serviceRestart, .notice, "restarting the service in place (failure \(failures) of \(config.service.migrationThreshold) before it moves)")
                emit(.restart(term: term))
            } else {
                release(.serviceFailed)
            }
        case .lockLost(let reason):
            guard case .holding = service else { return }
            if persistent.admin.maintenance {
                event(.serviceFailedIgnored, .notice, "in maintenance mode, not acting on: \(reason)")
                return
            }
            event(.serviceFailed, .error, "service failed: \(reason); releasing it at once (a restart in place would keep the stale lock)")
            recordFailure(fatal: true)
            release(.serviceFailed)
        }
    }

    /// Whether a failed service may be restarted here rather than released: this node leads
    /// with its lease, is not leaving or handing over, and placement still puts the service
    /// on it (its failures, just counted, are below `migration_threshold`).
    var mayRestartInPlace: Bool {
        guard role == .leader, leaseClaimed, !leaving, transferDeadline == nil else { return false }
        let online = Set(config.nodes.map(\.name).filter { isOnline($0) })
        let decision = Placement.decide(config: config, admin: persistent.admin, leader: name, online: online, lastActive: holder, wallClock: wallClock)
        return decision == .runOnLeader
    }

    /// Counts a failure of the service on this node (the leader: the service runs on the
    /// leader). `fatal`: the count goes to at least `migration_threshold` at once.
    mutating func recordFailure(fatal: Bool = false) {
        guard role == .leader else { return }
        let (node, wall, expiry, threshold) = (name, wallClock, config.service.failureExpiry, config.service.migrationThreshold)
        updateAdmin { admin in
            admin = admin.recordingFailure(of: node, at: wall, expiry: expiry, fatal: fatal, threshold: threshold)
        }
    }

    mutating func scheduleRetry() {
        let factor = 1 << min(retryCount, 4)
        retryNotBefore = now + timings.retryBackoff * factor
        retryCount += 1
    }

    /// Brings the service in line with leadership and placement; runs after every input.
    mutating func reconcileService() {
        guard role == .leader else {
            if service.mayRun, !service.isReleasing { release(.lostLeadership) }
            placementReason = leader == nil ? .noQuorum : placementReason
            return
        }
        if leaving, transferDeadline == nil {
            reconcileLeave()
            return
        }
        guard leaseClaimed else {
            placementReason = .waitingForLease
            return
        }
        guard transferDeadline == nil else { return }
        // tie_breaker = "storage": a node cut from the storage releases; with the peer
        // reachable, the placement below then hands the service over.
        if releaseIfStorageLost(), !peers.contains(where: { isOnline($0) }) { return }
        if config.quorum.twoNode, let peer = peers.first, !isOnline(peer), !fencedThisTerm.contains(peer), !persistent.admin.maintenance {
            // two_node: a lost peer is fenced before anything is committed or started;
            // with the storage tie-breaker only once its disk heartbeat is silent too.
            var fenceNow = arbiter == nil
            if arbiter != nil, storageDecidesLostPeer(peer, fenceNow: &fenceNow) { return }
            if fenceNow {
                guard fencing == nil else { return }
                if let retryAt = retryNotBefore, now < retryAt { return }
                fencing = peer
                // The storage verdict already decided: a live peer is never fenced, so no race to delay.
                let delay = arbiter == nil ? fenceDelay(for: peer) : .zero
                let wait = delay > .zero ? " after the race delay (\(DurationText.format(delay)))" : ""
                let why = arbiter == nil ? "lost in two_node mode" : "lost on the network and silent on storage"
                event(.fenceRequested, .warning, "peer \(peer) \(why); fencing it\(wait)")
                emit(.fence(node: peer, delay: delay))
                return
            }
        }
        let online = Set(config.nodes.map(\.name).filter { isOnline($0) })
        let decision = Placement.decide(config: config, admin: persistent.admin, leader: name, online: online, lastActive: holder, wallClock: wallClock)
        switch decision {
        case .leaveAlone:
            placementReason = .maintenance
        case .stop(let reason):
            placementReason = reason
            if service.mayRun {
                release(reason == .disabled ? .disabled : .placement)
            } else if persistent.admin.mayHold.contains(name) {
                updateAdmin { [name] in $0.mayHold.removeAll { $0 == name } }
            }
        case .transfer(let target, let reason):
            placementReason = reason
            if service.mayRun {
                release(.placement)
                return
            }
            if persistent.admin.mayHold.contains(name) {
                updateAdmin { [name] in $0.mayHold.removeAll { $0 == name } }
            }
            guard committed >= persistent.admin.stamp else { return }
            // Relinquish the lease first: the target will not wait for it.
            leaseClaimed = false
            transferDeadline = now + timings.transferTimeout
            event(.leadershipTransfer, .notice, "handing leadership to \(target)")
            send(.timeoutNow(term: term), to: target)
        case .runOnLeader:
            placementReason = .onLeader
            guard case .idle = service else { return }
            if arbiter != nil, ownStorageLost {
                placementReason = .storageLost
                return
            }
            if let retryAt = retryNotBefore, now < retryAt { return }
            let resolved = Set(persistent.admin.mayHold.filter { $0 != name && confirmedReleased.contains($0) })
            if !resolved.isEmpty || !persistent.admin.mayHold.contains(name) {
                // Record "this node may run it" on a quorum BEFORE starting, so a later
                // leader knows to wait for or fence this node.
                updateAdmin { [name] admin in
                    admin.mayHold = Set(admin.mayHold).subtracting(resolved).union([name]).sorted()
                }
            }
            guard committed >= persistent.admin.stamp else {
                placementReason = .waitingForCommit
                return
            }
            // Every live peer must have said, in this term, that it runs nothing
            // (even one the record does not name: a change committed by a lone
            // two_node survivor may be missing here). Offline ones it names are fenced.
            // Learners too: they answer every heartbeat, so asking them costs no wait.
            if let live = contacts.first(where: { isOnline($0) && !confirmedReleased.contains($0) }) {
                placementReason = .waitingForRelease(live)
                return
            }
            let unresolved = persistent.admin.mayHold.filter { $0 != name && !confirmedReleased.contains($0) }
            service = .takingOver(term: term)
            holder = name
            event(.serviceTakeover, .notice, "taking over the service (term \(term))\(unresolved.isEmpty ? "" : "; fencing \(unresolved.joined(separator: ", ")) first")")
            emit(.takeover(term: term, fenceFirst: unresolved))
        }
    }
}
