import ClusterCore

/// The storage shape's properties (`ClusterShape.storageTieBreaker`), from the simulation's
/// ground truth of the disk (when each node's cycles really succeeded, landed and were fed):
///
/// - 7 (`storageLostHolds`): a node whose process has had no good disk-heartbeat cycle for
///   `storage_timeout` releases. Counted from its last good cycle (or its start), plus one
///   tick for the core to notice, plus the longest simulated release; a pause postpones it
///   (the process acts on its first tick after resuming).
/// - 8 (`splitFence`): a network-only split with both nodes' storage healthy ends in 0
///   fences: no node asks for one (`SplitWatch` says exactly which splits count).
extension SafetyChecker {
    /// The longest a release runs in the simulation (`Simulation.releaseMax`), plus 1 ms.
    static let releaseAllowance: UInt64 = Simulation.releaseMax + 1_000_000

    /// 0.45 × `storage_timeout` (real time): how far apart a node's disk writes and reads may
    /// be and still count as on time (`SplitWatch`).
    var diskOnTime: UInt64 { UInt64(config.storageTimeout.nanoseconds * 45 / 100) }

    /// Property 7, after every event.
    func checkStorageRelease(nodes: [SimulatedNode], now: UInt64) -> Violation? {
        for node in nodes where node.holding && node.isUp && !node.isPaused(at: now) {
            let lastGood = max(node.lastGoodCycleFed ?? node.startedAt, node.startedAt)
            let noticed = max(lastGood + node.realDuration(config.storageTimeout + timings.tickInterval), node.resumedAt)
            let deadline = noticed + Self.releaseAllowance
            guard now > deadline else { continue }
            let since = node.lastGoodCycleFed.map { "its last good disk-heartbeat cycle at \(Self.stamp($0))" } ?? "its start at \(Self.stamp(node.startedAt)) without a good disk-heartbeat cycle"
            return Violation(
                property: .storageLostHolds, time: now,
                detail: "\(node.name) still holds the service \(Double(now - lastGood) / 1e9)s after \(since) "
                    + "(storage_timeout \(config.storageTimeout) + a tick + release allowance \(Double(Self.releaseAllowance) / 1e9)s"
                    + (node.resumedAt > lastGood ? ", resumed at \(Self.stamp(node.resumedAt))" : "") + ")")
        }
        return nil
    }

    /// Follows the network between the two nodes (after every event): a split begins or ends.
    mutating func watchSplit(split: Bool, nodes: [SimulatedNode], now: UInt64) {
        if split, splits.since == nil {
            splits.since = now
            splits.clean = true
            splits.clean = splitClean(nodes: nodes, now: now)
            note("network split between \(nodes.map(\.name).joined(separator: " and "))\(splits.clean ? " (both up, both disks healthy)" : "")", at: now)
        } else if !split, splits.since != nil {
            endSplit(nodes: nodes, now: now)
        }
    }

    /// Counts the split in progress, if clean and long enough (when it ends, or at the end of the run).
    mutating func endSplit(nodes: [SimulatedNode], now: UInt64) {
        guard let since = splits.since else { return }
        let decisive = UInt64((config.cluster.failureTimeout + config.storageTimeout).nanoseconds)
        if splitClean(nodes: nodes, now: now), now - since >= decisive {
            splits.cleanSplits += 1
            splits.cleanSplitTime += now - since
        }
        note("network split ends (\(Double(now - since) / 1e9)s\(splits.clean ? ", clean" : ""))", at: now)
        splits.since = nil
        splits.clean = false
    }

    /// Whether the split in progress is still clean (`SplitWatch`); marks it unclean for good when not.
    mutating func splitClean(nodes: [SimulatedNode], now: UInt64) -> Bool {
        guard let since = splits.since, splits.clean else { return false }
        let onTime = diskOnTime
        let window = UInt64(config.storageTimeout.nanoseconds)
        for node in nodes {
            let healthy = node.isUp && !node.isPaused(at: now)
                && node.lastTroubleAt + window < since
                && !node.storage.isHung(at: now) && !node.storage.isFailing(at: now)
                && node.lastWriteLanded.map { now - $0 <= onTime } == true
                && node.lastReadDone.map { now - $0 <= onTime } == true
            if !healthy {
                splits.clean = false
                return false
            }
        }
        return true
    }

    /// Property 8, when a node asks to fence its peer (a `fence` action, or a `takeover` that fences first).
    mutating func checkSplitFence(fencer: SimulatedNode, target: SimulatedNode, nodes: [SimulatedNode], now: UInt64) -> Violation? {
        guard let since = splits.since, splitClean(nodes: nodes, now: now) else { return nil }
        return Violation(
            property: .splitFence, time: now,
            detail: "\(fencer.name) asks to fence \(target.name) in a network-only split since \(Self.stamp(since)) with both nodes up, "
                + "unpaused, and every disk-heartbeat cycle of both ok and on time (≤ \(Double(diskOnTime) / 1e9)s apart, "
                + "from \(config.storageTimeout) before the split)")
    }
}
