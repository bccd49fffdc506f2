/// Every duration the election uses, derived from `heartbeat_interval` (h) and
/// `failure_timeout` (F) so operators tune two knobs only.
public struct ElectionTimings: Sendable, Equatable {
    public var heartbeatInterval: Duration
    /// A peer not heard from this long is offline; also the minimum election timeout.
    public var failureTimeout: Duration
    /// Election timeouts are uniform in [F, F + jitter). Half a heartbeat: enough to spread
    /// the followers' timeouts apart (a split vote needs two within a round trip of each
    /// other, and pre-vote keeps a loser from disturbing the winner), while a crash costs
    /// the fastest follower's share of it, not up to two heartbeats.
    public var electionJitter: Duration
    /// Bound on the clock-rate difference between any node and real time (0.01 = 1%).
    public var maxClockDrift: Double
    /// How long a quorum acknowledgement keeps the leader's lease valid.
    /// lease x (1+drift)/(1-drift) < F: any vote a new leader gets was given
    /// after the voter's last acknowledgement lease had run out, or the
    /// new leader waits the difference.
    public var lease: Duration
    /// The longest time between two `.tick` inputs: the shell ticks at `ElectionNode.nextDeadline`,
    /// and at least this often for what has no deadline (placement, failure expiry). One
    /// heartbeat, at most 200 ms: every timer with a safety or failover bound is a deadline, so
    /// ticking more often only costs CPU (four times the ticks gave an idle node twice the CPU).
    public var tickInterval: Duration
    /// A command not committed in this time gets `.noQuorum`.
    public var commandTimeout: Duration
    /// A leadership transfer not completed in this time gives up (the old leader steps down).
    public var transferTimeout: Duration
    /// First retry delay after a failed fence or takeover (doubles, up to 16x).
    public var retryBackoff: Duration

    public init(heartbeatInterval: Duration, failureTimeout: Duration, maxClockDrift: Double = 0.01) {
        precondition(heartbeatInterval > .zero && failureTimeout > heartbeatInterval, "validated config: 0 < heartbeat_interval < failure_timeout")
        self.heartbeatInterval = heartbeatInterval
        self.failureTimeout = failureTimeout
        self.electionJitter = heartbeatInterval / 2
        self.maxClockDrift = maxClockDrift
        // 0.85 leaves 15% margin beyond the drift bound.
        self.lease = failureTimeout.scaled(by: 0.85 * (1 - maxClockDrift) / (1 + maxClockDrift))
        self.tickInterval = min(heartbeatInterval, .milliseconds(200))
        self.commandTimeout = failureTimeout * 3
        self.transferTimeout = failureTimeout
        self.retryBackoff = heartbeatInterval * 5
    }

    public init(_ settings: ClusterSettings) {
        self.init(heartbeatInterval: settings.heartbeatInterval, failureTimeout: settings.failureTimeout)
    }

    /// The longest a previous leader's lease can last, in real time, measured
    /// on a clock that may run at the other end of the drift bound.
    public var leaseSafe: Duration { lease.scaled(by: (1 + maxClockDrift) / (1 - maxClockDrift)) }
}
