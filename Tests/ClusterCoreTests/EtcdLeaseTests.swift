import ClusterCore
import ClusterSimulation
import Testing

/// The etcd backend's lease margin rule: the coordinator's local deadline must end before the
/// etcd server can expire its lease, under clock drift, delay, loss and etcd leader changes.
@Suite("Etcd lease margin")
struct EtcdLeaseTests {
    @Test("the hold is 85 % of the TTL, less the drift bound, counted from the send time")
    func holdFromSendTime() {
        var hold = EtcdLeaseHold(maxClockDrift: 0.01)
        let expected = Duration.seconds(5).scaled(by: 0.85 * 0.99 / 1.01)
        #expect(hold.hold(ttl: .seconds(5)) == expected)
        #expect(!hold.holds(at: .zero))

        let sent = Instant(nanoseconds: 1_000_000_000)
        hold.renewed(sentAt: sent, answeredAt: sent + .milliseconds(900), ttl: .seconds(5))
        #expect(hold.deadline == sent + expected)
        #expect(hold.holds(at: sent + expected - .nanoseconds(1)))
        #expect(!hold.holds(at: sent + expected))

        // An answer to an older request never moves the deadline back.
        hold.renewed(sentAt: .zero, answeredAt: sent + .seconds(1), ttl: .seconds(5))
        #expect(hold.deadline == sent + expected)

        hold.drop()
        #expect(hold.deadline == nil && !hold.holds(at: sent))
    }

    @Test("keep-alives go out every third of the TTL")
    func keepAliveInterval() {
        #expect(EtcdLeaseHold.keepAliveInterval(ttl: .seconds(6)) == .seconds(2))
    }

    @Test("the rule holds on 3,000 seeds: drift at the bound, delays up to half the TTL, 20 % loss, etcd leader changes")
    func ruleHolds() {
        let model = EtcdLeaseModel()
        let findings = model.run(seeds: 0..<3000)
        #expect(findings.isEmpty, "\(findings.prefix(3))")
        // A short TTL (etcd's minimum) and a larger drift bound too.
        let tight = EtcdLeaseModel(ttl: .seconds(2), maxClockDrift: 0.05, horizon: 60)
        let tightFindings = tight.run(seeds: 0..<3000)
        #expect(tightFindings.isEmpty, "\(tightFindings.prefix(3))")
    }

    @Test("each broken rule is caught", arguments: EtcdLeaseHold.Mutation.allCases)
    func mutationsCaught(_ mutation: EtcdLeaseHold.Mutation) {
        let findings = EtcdLeaseModel().run(seeds: 0..<3000, mutation: mutation)
        #expect(!findings.isEmpty, "\(mutation): no seed found the holder holding past the server's expiry")
    }
}
