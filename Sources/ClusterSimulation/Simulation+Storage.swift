import ClusterCore

/// The storage shape (`ClusterShape.storageTieBreaker`): a simulated shared disk with one
/// heartbeat slot per node, and every node's disk-heartbeat cycles fed to its core as the
/// shell feeds them: once per heartbeat interval on the node's clock (a cycle still in flight
/// makes the timer skip), write this node's heartbeat (counter + 1, term, leader, holding),
/// then read every slot and feed `.arbiter(.succeeded(heartbeats:))`; on EIO feed
/// `.arbiter(.failed(reason:))`; while the I/O hangs, feed nothing.
extension Simulation {
    /// A healthy cycle takes 0.3-3 ms (write, then read); a slow one adds 0.5-1 × the episode's latency
    /// (and the timer skips while it runs: heartbeats land up to an interval + the latency apart).
    func cycleLatency(_ node: SimulatedNode) -> UInt64 {
        var latency = randomDuration(300_000, 3_000_000)
        if node.storage.isSlow(at: now) {
            let slow = node.storage.slowLatency
            latency += slow / 2 + random.next(upperBound: slow / 2 + 1)
        }
        return latency
    }

    /// A process starts: its first cycle within one heartbeat interval, a new incarnation, counter from 1.
    func startDiskTimer(_ index: Int) {
        let node = nodes[index]
        node.diskCounter = 0
        let interval = node.realDuration(config.cluster.heartbeatInterval)
        queue.push(.diskTimer(node: index, incarnation: node.incarnation), at: now + random.next(upperBound: interval))
    }

    func diskTimer(_ index: Int, incarnation: Int) {
        let node = nodes[index]
        guard node.isUp, node.incarnation == incarnation else { return }
        // A paused process starts nothing; one whose last cycle has not ended skips this one.
        if !node.isPaused(at: now), !node.cycleInFlight, let core = node.core {
            node.cycleInFlight = true
            node.diskCounter += 1
            let heartbeat = ArbiterHeartbeat(
                node: node.name, incarnation: Incarnation(UInt64(node.incarnation)), term: core.term, leader: core.role == .leader,
                holding: core.service.mayRun, counter: node.diskCounter, wallClock: Self.wallEpoch * 1000 + now / 1_000_000)
            let latency = cycleLatency(node)
            queue.push(.diskWrite(node: index, incarnation: incarnation, heartbeat: heartbeat, readAfter: latency - latency / 2), at: now + latency / 2)
        }
        queue.push(.diskTimer(node: index, incarnation: incarnation), at: now + node.realDuration(config.cluster.heartbeatInterval))
    }

    func diskWrite(_ index: Int, incarnation: Int, heartbeat: ArbiterHeartbeat, readAfter: UInt64) {
        let node = nodes[index]
        // A machine that lost power wrote nothing more.
        guard node.isUp, node.incarnation == incarnation else { return }
        if node.storage.isHung(at: now) {
            node.lastTroubleAt = now
            queue.push(.diskWrite(node: index, incarnation: incarnation, heartbeat: heartbeat, readAfter: readAfter), at: node.storage.hungUntil)
            return
        }
        if node.storage.isFailing(at: now) {
            cycleFailed(index, "writing the heartbeat: EIO (Input/output error)")
            return
        }
        disk[node.name] = heartbeat
        // Late: more than on time after the previous write that landed, or after this process
        // started (its first write after a long hang is late too).
        if now - max(node.lastWriteLanded ?? 0, node.startedAt) > checker.diskOnTime { node.lastTroubleAt = now }
        node.lastWriteLanded = now
        queue.push(.diskRead(node: index, incarnation: incarnation), at: now + readAfter)
    }

    func diskRead(_ index: Int, incarnation: Int) {
        let node = nodes[index]
        guard node.isUp, node.incarnation == incarnation else { return }
        if node.storage.isHung(at: now) {
            node.lastTroubleAt = now
            queue.push(.diskRead(node: index, incarnation: incarnation), at: node.storage.hungUntil)
            return
        }
        if node.storage.isFailing(at: now) {
            cycleFailed(index, "reading the heartbeats: EIO (Input/output error)")
            return
        }
        node.cycleInFlight = false
        if now - max(node.lastReadDone ?? 0, node.startedAt) > checker.diskOnTime { node.lastTroubleAt = now }
        node.lastReadDone = now
        feed(.arbiter(.succeeded(heartbeats: disk)), to: index)
    }

    func cycleFailed(_ index: Int, _ reason: String) {
        let node = nodes[index]
        node.cycleInFlight = false
        node.lastTroubleAt = now
        feed(.arbiter(.failed(reason: reason)), to: index)
    }

    /// A storage episode begins around node `index` and ends by itself.
    func startStorageEpisode(_ kind: StorageFault, on index: Int) {
        let node = nodes[index]
        result.storageEpisodes += 1
        switch kind {
        case .slowWrites:
            let duration = randomDuration(1_000_000_000, 8_000_000_000)
            // Half the episodes mild: a heartbeat lands (a read completes) at most 0.4 s after the
            // previous one, on time for the split check (`SplitWatch`), though the counter a peer
            // reads stands still for up to two intervals at times. Half beyond that at times (up to 1.8 s).
            node.storage.slowLatency = random.chance(0.5) ? randomDuration(20_000_000, 180_000_000) : randomDuration(400_000_000, 1_600_000_000)
            node.storage.slowUntil = max(node.storage.slowUntil, now + duration)
            checker.note("\(node.name) storage slow for \(Double(duration) / 1e9)s (cycles +\(Double(node.storage.slowLatency) / 2e9)-\(Double(node.storage.slowLatency) / 1e9)s)", at: now)
        case .hang:
            let duration = randomDuration(200_000_000, 4_000_000_000)
            node.storage.hungUntil = max(node.storage.hungUntil, now + duration)
            checker.note("\(node.name) storage hangs for \(Double(duration) / 1e9)s", at: now)
        case .storageCut:
            let duration = randomDuration(200_000_000, 5_000_000_000)
            node.storage.failingUntil = max(node.storage.failingUntil, now + duration)
            checker.note("\(node.name) cut from the storage (EIO) for \(Double(duration) / 1e9)s", at: now)
        case .networkCut, .bothCut:
            let duration = kind == .networkCut ? randomDuration(500_000_000, 8_000_000_000) : randomDuration(500_000_000, 6_000_000_000)
            for other in nodes.indices where other != index {
                paths[index][other].blocked = true
                paths[other][index].blocked = true
            }
            if kind == .bothCut { node.storage.failingUntil = max(node.storage.failingUntil, now + duration) }
            node.cutFromNetworkUntil = max(node.cutFromNetworkUntil, now + duration)
            queue.push(.networkCutEnds(node: index), at: now + duration)
            checker.note("\(node.name) cut from the network\(kind == .bothCut ? " and the storage (EIO)" : " only") for \(Double(duration) / 1e9)s", at: now)
        }
    }

    /// A network cut of node `index` ends, unless a later one of it still runs: its paths to
    /// every node not cut itself are restored.
    func networkCutEnds(_ index: Int) {
        guard now >= nodes[index].cutFromNetworkUntil else { return }
        for other in nodes.indices where other != index && now >= nodes[other].cutFromNetworkUntil {
            paths[index][other] = NetworkPath()
            paths[other][index] = NetworkPath()
        }
        checker.note("\(nodes[index].name) back on the network", at: now)
    }

    /// Property 8: `index` asks to fence `target` (storage shape only).
    func checkSplitFence(by index: Int, of target: Int) {
        guard shape.usesStorage, result.violation == nil else { return }
        if let violation = checker.checkSplitFence(fencer: nodes[index], target: nodes[target], nodes: nodes, now: now) {
            result.violation = violation
        }
    }

    /// The storage shape: tells the checker whether the network between the two nodes is split.
    func watchSplit() {
        let split = paths[0][1].blocked || paths[1][0].blocked
        checker.watchSplit(split: split, nodes: nodes, now: now)
    }
}
