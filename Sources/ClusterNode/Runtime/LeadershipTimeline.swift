import ClusterCore

/// When this node's way to leadership happened, for the failover timeline of `hactl status`
/// (`last_failover`): the runtime shows it every step of the core (`observe`), and at a
/// takeover asks for the steps before it (`prelude`).
///
///     detect    the previous holder last heard → this node's election timeout fired
///     election  campaign (pre-vote, vote) → leader
///     lease     leader → lease claimed (waiting out a previous leader's lease)
///     wait      lease claimed → takeover decided (commit of the admin record, peers' release)
///
/// Each step is between two instants of the same monotonic clock, so they add up.
struct LeadershipTimeline {
    private(set) var campaignStarted: Instant?
    private(set) var elected: Instant?
    private(set) var leaseClaimed: Instant?
    /// A takeover decided longer than this after the election gets no election steps (it is
    /// not that election's failover: a move, a restart elsewhere, an operator's enable).
    var horizon: Duration = .seconds(30)

    /// What the timeline needs of the core's state before and after a step.
    struct Phase: Equatable {
        var role: ElectionRole
        var leaseClaimed: Bool

        init(role: ElectionRole, leaseClaimed: Bool) {
            self.role = role
            self.leaseClaimed = leaseClaimed
        }

        init(_ node: ElectionNode) {
            self.init(role: node.role, leaseClaimed: node.leaseClaimed)
        }

        var campaigning: Bool { role == .preCandidate || role == .candidate }
    }

    mutating func observe(before: ElectionNode, after: ElectionNode, now: Instant) {
        observe(before: Phase(before), after: Phase(after), now: now)
    }

    mutating func observe(before: Phase, after: Phase, now: Instant) {
        if !before.campaigning, after.campaigning {
            campaignStarted = now
            elected = nil
            leaseClaimed = nil
        }
        if before.role != .leader, after.role == .leader { elected = now }
        if !before.leaseClaimed, after.leaseClaimed, after.role == .leader { leaseClaimed = now }
        if after.role == .follower {
            campaignStarted = nil
            elected = nil
            leaseClaimed = nil
        }
    }

    /// The steps from the previous holder's silence to the takeover decided at `decided`.
    /// `lastHeard`: when the previous holder was last heard (nil: unknown, no detect step).
    func prelude(lastHeard: Instant?, decided: Instant) -> [StatusReport.Failover.Step] {
        guard let elected, let campaignStarted, decided.since(elected) <= horizon else { return [] }
        var marks: [(name: String, end: Instant)] = []
        var origin = campaignStarted
        if let lastHeard, lastHeard <= campaignStarted {
            origin = lastHeard
            marks.append(("detect", campaignStarted))
        }
        let claimed = leaseClaimed ?? decided
        marks += [("election", elected), ("lease", claimed), ("wait", decided)]
        // Whole milliseconds from the origin, then differences: the steps add up to the total.
        var previous = 0
        return marks.map { mark in
            let at = mark.end.since(origin).wholeMilliseconds
            defer { previous = at }
            return .init(name: mark.name, milliseconds: at - previous, ok: true)
        }
    }
}
