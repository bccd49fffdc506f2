/// Every kind of cluster event, one case each. The raw value is the stable
/// machine-readable name, `<area>.<what>`, that `hactl events` prints and the
/// journal carries (`EVENT_KIND`); renaming one breaks that contract.
public enum EventKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    // The election (the core).
    case electionPrevote = "election.prevote"
    case electionStarted = "election.started"
    case electionWon = "election.won"
    case leaderSteppedDown = "leader.stepped-down"
    case leaseClaimed = "lease.claimed"
    case leaseLost = "lease.lost"
    case leadershipTransfer = "leadership.transfer"
    case leadershipTransferFailed = "leadership.transfer-failed"
    case leadershipStepDown = "leadership.step-down"
    case nodeLeaving = "node.leaving"
    case adminChange = "admin.change"
    /// The member list was recorded or changed (`hactl node add` / `node remove`).
    case membershipChange = "membership.change"
    /// `hactl quorum unblock`: the node stopped waiting for all nodes (carries the operator's uid).
    case quorumUnblocked = "quorum.unblocked"

    // The service as the core sees it.
    case serviceTakeover = "service.takeover"
    case serviceStarted = "service.started"
    case serviceTakeoverFailed = "service.takeover-failed"
    case serviceRelease = "service.release"
    case serviceStopped = "service.stopped"
    case serviceFailed = "service.failed"
    case serviceFailedIgnored = "service.failed-ignored"
    case serviceRestart = "service.restart"

    // Fencing: the core's request and verdicts, the coordinator's steps, the device monitor.
    case fenceRequested = "fence.requested"
    case fenceStarted = "fence.started"
    case fenceRaceDelay = "fence.race.delay"
    case fenceDelay = "fence.delay"
    case fenceAttempt = "fence.attempt"
    case fenceAttemptSucceeded = "fence.attempt.succeeded"
    case fenceAttemptFailed = "fence.attempt.failed"
    case fenceConfirmed = "fence.confirmed"
    case fenceLevelFailed = "fence.level.failed"
    case fenceSucceeded = "fence.succeeded"
    case fenceFailed = "fence.failed"
    case fenceDeviceFailing = "fence.device.failing"
    case fenceDeviceRecovered = "fence.device.recovered"
    /// `hactl fence confirm`: the operator stated the node is down; its fence counts as done (carries the uid).
    case fenceOperatorConfirmed = "fence.operator-confirmed"

    // The takeover sequence: one event per step (`TakeoverStep.eventKind`), and its outcomes.
    case takeoverFence = "takeover.fence"
    case takeoverLock = "takeover.lock"
    case takeoverIP = "takeover.ip"
    case takeoverIPAnnounce = "takeover.ip.announce"
    case takeoverStart = "takeover.start"
    case takeoverStartUnit = "takeover.start.unit"
    case takeoverHealthy = "takeover.healthy"
    case takeoverBlocked = "takeover.blocked"
    case takeoverFailed = "takeover.failed"
    case takeoverUndo = "takeover.undo"
    /// A floating address removed by someone else while active was added back (a warning).
    case ipRestored = "ip.restored"
    case lockRetaken = "lock.retaken"
    /// A restart in place stopped the unit(s) (the lock and addresses stay).
    case restartStop = "restart.stop"

    // The release: one event per step (`ReleaseStep.eventKind`), and the escalation.
    case releaseBegin = "release.begin"
    case releaseStop = "release.stop"
    case releaseIP = "release.ip"
    case releaseUnlock = "release.unlock"
    case releaseSelfFence = "release.selffence"

    // Maintenance off on the holder: stopped units started, running ones left alone.
    case adoptFailed = "adopt.failed"
    case adoptStartUnit = "adopt.start.unit"

    // Reload in place (`systemctl reload`, SIGHUP): refused, or done with what the
    // previous image held carried on.
    case reloadRefused = "reload.refused"
    case reloadDone = "reload.done"
    case reloadResumed = "reload.resumed"

    // The disk heartbeat (`tie_breaker = "storage"`) and the storage fence.
    case arbiterPeerAlive = "arbiter.peer-alive"
    case arbiterPeerSilent = "arbiter.peer-silent"
    case arbiterStorageLost = "arbiter.storage-lost"
    case arbiterStorageRestored = "arbiter.storage-restored"
    case arbiterPoisonWritten = "arbiter.poison-written"
    case arbiterPoisonRead = "arbiter.poison-read"

    // The managed units' systemd settings against the configuration (`UnitAudit`).
    case auditWarning = "audit.warning"

    // The runtime: links, the wire, persistence.
    case runtimeStarted = "runtime.started"
    case linkBound = "link.bound"
    case linkUnbound = "link.unbound"
    case linkDown = "link.down"
    case linkUp = "link.up"
    case wireRejected = "wire.rejected"
    case wireFlood = "wire.flood"
    case wireUnreachable = "wire.unreachable"
    case wireUnsendable = "wire.unsendable"
    case persistFailed = "persist.failed"
    case persistRecovered = "persist.recovered"

    // The etcd backend (`[cluster] backend = "etcd"`): this node's lease, and etcd calls that failed.
    case etcdLeaseGranted = "etcd.lease.granted"
    case etcdError = "etcd.error"

    /// The raw value, so that interpolation prints `election.won`, not `electionWon`.
    public var description: String { rawValue }
}
