@testable import ClusterNode
import Testing
@testable import ClusterCore

@Suite struct LeadershipTimelineTests {
    typealias Phase = LeadershipTimeline.Phase
    static let follower = Phase(role: .follower, leaseClaimed: false)
    static let preCandidate = Phase(role: .preCandidate, leaseClaimed: false)
    static let candidate = Phase(role: .candidate, leaseClaimed: false)
    static let leader = Phase(role: .leader, leaseClaimed: false)
    static let leaseHolder = Phase(role: .leader, leaseClaimed: true)

    func at(_ ms: UInt64) -> Instant { Instant(nanoseconds: 10_000_000_000 + ms * 1_000_000 + 400_000) }

    /// A crash failover: heard at 0, timeout at 1183.6, pre-vote, vote, won at 1201.2, the
    /// lease claimed at once, the takeover decided 3 ms later. Whole milliseconds from the
    /// first instant, then differences: the steps add up to the span.
    @Test func theStepsOfAnElectionAddUpToTheSpan() {
        var timeline = LeadershipTimeline()
        timeline.observe(before: Self.follower, after: Self.preCandidate, now: at(1183))
        timeline.observe(before: Self.preCandidate, after: Self.candidate, now: at(1190))
        timeline.observe(before: Self.candidate, after: Self.leaseHolder, now: at(1201))
        let steps = timeline.prelude(lastHeard: Instant(nanoseconds: 10_000_000_000), decided: at(1204))
        #expect(steps.map(\.name) == ["detect", "election", "lease", "wait"])
        #expect(steps.map(\.milliseconds) == [1183, 18, 0, 3])
        #expect(steps.reduce(0) { $0 + $1.milliseconds } == 1204)
    }

    @Test func aLeaderThatWaitsOutTheOldLeaseShowsTheWait() {
        var timeline = LeadershipTimeline()
        timeline.observe(before: Self.follower, after: Self.candidate, now: at(0))
        timeline.observe(before: Self.candidate, after: Self.leader, now: at(10))
        timeline.observe(before: Self.leader, after: Self.leaseHolder, now: at(610))
        let steps = timeline.prelude(lastHeard: nil, decided: at(650))
        #expect(steps.map(\.name) == ["election", "lease", "wait"], "no detect step when the previous holder's silence is unknown")
        #expect(steps.map(\.milliseconds) == [10, 600, 40])
    }

    @Test func aTakeoverLongAfterTheElectionHasNoElectionSteps() {
        var timeline = LeadershipTimeline()
        timeline.observe(before: Self.follower, after: Self.candidate, now: at(0))
        timeline.observe(before: Self.candidate, after: Self.leaseHolder, now: at(5))
        #expect(timeline.prelude(lastHeard: nil, decided: at(31_000)).isEmpty)
        #expect(!timeline.prelude(lastHeard: nil, decided: at(29_000)).isEmpty)
    }

    @Test func steppingDownForgetsTheElection() {
        var timeline = LeadershipTimeline()
        timeline.observe(before: Self.follower, after: Self.candidate, now: at(0))
        timeline.observe(before: Self.candidate, after: Self.leaseHolder, now: at(5))
        timeline.observe(before: Self.leaseHolder, after: Self.follower, now: at(50))
        #expect(timeline.prelude(lastHeard: nil, decided: at(60)).isEmpty)
        // A lost campaign, then a new one: timed from the new one.
        timeline.observe(before: Self.follower, after: Self.preCandidate, now: at(100))
        timeline.observe(before: Self.preCandidate, after: Self.follower, now: at(120))
        timeline.observe(before: Self.follower, after: Self.preCandidate, now: at(400))
        timeline.observe(before: Self.preCandidate, after: Self.leaseHolder, now: at(420))
        #expect(timeline.prelude(lastHeard: at(0), decided: at(420)).map(\.milliseconds) == [400, 20, 0, 0])
    }
}
