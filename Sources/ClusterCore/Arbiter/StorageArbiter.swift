/// What the disk heartbeat says, kept by the election core (`[quorum] tie_breaker = "storage"`).
///
/// The shell writes this node's heartbeat and reads every slot once per heartbeat interval
/// and reports each cycle (`Input.arbiter`). Only this node's own clock is used: a peer is
/// *alive on storage* while its counter changed less than `storage_timeout` ago; it is
/// *silent on storage* once a read that succeeded at least `storage_timeout` after its last
/// change still found the same counter. A node whose own cycles stopped succeeding cannot tell
/// either (it may be the one cut off): its verdict on every peer is `unknown`, and it has
/// lost the storage itself once its last good cycle is `storage_timeout` old.
public struct StorageArbiter: Sendable, Equatable, Codable {
    public enum Verdict: Sendable, Equatable, CustomStringConvertible {
        /// Not enough reads yet to say (just started, or this node's own I/O is failing).
        case unknown
        /// The peer's heartbeat advanced `age` ago: the peer is alive.
        case alive(age: Duration)
        /// The peer's heartbeat stood still for `for` (at least `storage_timeout`) in reads that succeeded.
        case silent(for: Duration)

        public var description: String {
            switch self {
            case .unknown: "unknown"
            case .alive: "alive"
            case .silent: "silent"
            }
        }
    }

    struct PeerTrack: Sendable, Equatable, Codable {
        var heartbeat: ArbiterHeartbeat?
        /// When (this node's clock) the counter or incarnation was last seen to change
        /// (first sight counts as the first good cycle: no proof of life yet).
        var lastAdvanced: Instant
        /// Seen to change at least once.
        var proven: Bool
    }

    public private(set) var storageTimeout: Duration
    /// The last cycle (own write, then read of every slot) that succeeded.
    public private(set) var lastGoodCycle: Instant?
    /// When this tracker began (its first input): own access is judged from here until a cycle succeeds.
    var createdAt: Instant?
    /// The first cycle that succeeded: a peer never seen to advance is judged from here.
    var firstGoodCycle: Instant?
    var peers: [String: PeerTrack] = [:]
    /// The last failure of a cycle, for status.
    public private(set) var lastError: String?
    /// What the core last announced (events on changes only): each peer's verdict, and
    /// whether this node's own access is lost.
    var announced: [String: String] = [:]
    var ownLostAnnounced = false
    /// This loss of access was already counted as a failure of this node.
    var lossRecorded = false

    public init(storageTimeout: Duration) {
        self.storageTimeout = storageTimeout
    }

    /// A cycle succeeded at `now`: this node's heartbeat is written and `heartbeats` were read
    /// (every valid peer record; a peer missing from it is treated as not advancing).
    public mutating func cycleSucceeded(heartbeats: [String: ArbiterHeartbeat], now: Instant) {
        begin(at: now)
        if firstGoodCycle == nil { firstGoodCycle = now }
        lastGoodCycle = now
        lastError = nil
        for (node, heartbeat) in heartbeats {
            if var track = peers[node] {
                if track.heartbeat?.counter != heartbeat.counter || track.heartbeat?.incarnation != heartbeat.incarnation {
                    track.lastAdvanced = now
                    track.proven = true
                }
                track.heartbeat = heartbeat
                peers[node] = track
            } else {
                // First sight: no proof of life yet (the record may be a dead node's last one).
                peers[node] = PeerTrack(heartbeat: heartbeat, lastAdvanced: firstGoodCycle ?? now, proven: false)
            }
        }
    }

    /// A cycle failed (I/O error, or the shell's own timeout on a hung call).
    public mutating func cycleFailed(reason: String, now: Instant) {
        begin(at: now)
        lastError = reason
    }

    /// Starts the clock of own access (first input, or first tick after a restore).
    public mutating func begin(at now: Instant) {
        if createdAt == nil { createdAt = now }
    }

    /// This node's own access: lost once no cycle succeeded for `storage_timeout`
    /// (counted from the tracker's start when none ever did).
    public func ownAccessLost(now: Instant) -> Bool {
        guard let since = lastGoodCycle ?? createdAt else { return false }
        return now.since(since) >= storageTimeout
    }

    /// When `ownAccessLost` turns true unless a cycle succeeds first (a deadline of the core:
    /// a node that loses its storage releases at that instant, not at a later tick).
    public var ownAccessLostAt: Instant? {
        (lastGoodCycle ?? createdAt).map { $0 + storageTimeout }
    }

    public func verdict(on peer: String, now: Instant) -> Verdict {
        guard let good = lastGoodCycle, let first = firstGoodCycle, now.since(good) < storageTimeout else { return .unknown }
        let track = peers[peer]
        let advanced = track?.lastAdvanced ?? first
        let still = good.since(advanced)
        if still >= storageTimeout { return .silent(for: still) }
        return track?.proven == true ? .alive(age: now.since(advanced)) : .unknown
    }

    /// For the `shortStorageTimeout` mutation only.
    mutating func shortenTimeout(to timeout: Duration) { storageTimeout = timeout }

    /// The peer's last record read, if any.
    public func heartbeat(of peer: String) -> ArbiterHeartbeat? { peers[peer]?.heartbeat }
}
