import ClusterCore
import CoreTestSupport
import Testing

/// The etcd backend's coordinator (pure): the takeover order around the holder record, releasing
/// when the lease or the key is lost, and a clean leave. Scripted: each test plays the shell's
/// answers and checks the outputs.
@Suite("Etcd coordinator")
struct EtcdCoordinatorTests {
    static let config = try! ConfigLoader.parse(toml: ConfigFixtures.base, path: nil)
    static let grace = Duration.seconds(5)
    static let backoff = Duration.seconds(1)

    /// A coordinator for `node` with a lease, both service nodes present and the key vacant.
    static func follower(_ node: String, present: Set<String> = ["dss1", "dss2"]) -> (EtcdCoordinator, [EtcdCoordinator.Output]) {
        var c = EtcdCoordinator(node: node, config: config, campaignGrace: grace, retryBackoff: backoff)
        #expect(c.start() == [.grantLease])
        _ = c.step(.present(present), now: .zero)
        var out = c.step(.leaseGranted, now: .zero)
        out += c.step(.leader(node: nil, term: 0), now: .zero)
        return (c, out)
    }

    /// `follower(node)` played through a won campaign (term 7), an empty holder record and its
    /// `starting` record: the takeover is under way. `running` also plays its success.
    static func takingOver(_ node: String, present: Set<String> = ["dss1", "dss2"]) -> EtcdCoordinator {
        var (c, _) = follower(node, present: present)
        _ = c.step(.campaigned(.won(term: 7)), now: .zero)
        _ = c.step(.holderRead(nil), now: .zero)
        _ = c.step(.holderRecorded(true), now: .zero)
        #expect(c.phase == .takingOver(term: 7))
        return c
    }

    static func running(_ node: String) -> EtcdCoordinator {
        var c = takingOver(node)
        _ = c.step(.report(.takeoverSucceeded(term: Term(7))), now: .zero)
        _ = c.step(.holderRecorded(true), now: .zero)
        #expect(c.phase == .running(term: 7))
        return c
    }

    static func record(_ node: String, _ state: EtcdHolderRecord.State, _ term: Int64) -> EtcdCoordinator.Output {
        .recordHolder(EtcdHolderRecord(node: node, state: state, term: term))
    }

    static func services(_ out: [EtcdCoordinator.Output]) -> [Action] {
        out.compactMap { if case .service(let action) = $0, !action.isEvent { action } else { nil } }
    }

    @Test("cold start: the first node in placement order campaigns, records itself starting, takes over, records running")
    func coldStart() {
        var (c, out) = Self.follower("dss1")
        #expect(out == [.campaign])
        out = c.step(.campaigned(.won(term: 7)), now: .zero)
        #expect(out.last == .readHolder)
        #expect(c.step(.holderRead(nil), now: .zero) == [Self.record("dss1", .starting, 7)])
        #expect(!c.mayRunService || c.phase == .recordingStarting(term: 7))
        #expect(c.step(.holderRecorded(true), now: .zero) == [.service(.takeover(term: Term(7), fenceFirst: []))])
        #expect(c.step(.report(.takeoverSucceeded(term: Term(7))), now: .zero) == [Self.record("dss1", .running, 7)])
        #expect(c.step(.holderRecorded(true), now: .zero).isEmpty)
        #expect(c.phase == .running(term: 7) && c.term == 7)
    }

    @Test("a node later in placement order waits the grace period, unless the earlier ones are absent")
    func laterNodeWaits() {
        var (c, out) = Self.follower("dss2")
        #expect(out.isEmpty, "dss1 is present and first: dss2 waits")
        #expect(c.step(.tick, now: .zero + Self.grace - .milliseconds(1)).isEmpty)
        #expect(c.step(.tick, now: .zero + Self.grace) == [.campaign])

        var (alone, first) = Self.follower("dss2", present: ["dss2"])
        #expect(first == [.campaign], "dss1 absent: dss2 campaigns at once")
        #expect(alone.step(.campaigned(.held(by: "dss1", term: 3)), now: .zero).isEmpty)
        #expect(alone.phase == .follower)
        #expect(alone.step(.tick, now: .zero + .seconds(60)).isEmpty, "a held key: nobody campaigns")
    }

    @Test("failover: the recorded holder is fenced before the record names the new one, and a failed fence starts nothing")
    func fenceBeforeRecording() {
        var (c, _) = Self.follower("dss2", present: ["dss2"])
        _ = c.step(.campaigned(.won(term: 9)), now: .zero)
        var out = c.step(.holderRead(EtcdHolderRecord(node: "dss1", state: .running, term: 4)), now: .zero)
        #expect(Self.services(out) == [.fence(node: "dss1", delay: .zero)])
        #expect(!out.contains { if case .recordHolder = $0 { true } else { false } }, "no record before the fence")

        out = c.step(.report(.fenceFailed(node: "dss1", reason: "timeout")), now: .zero + .seconds(1))
        #expect(Self.services(out).isEmpty && !c.mayRunService)
        #expect(c.step(.tick, now: .zero + .seconds(1) + Self.backoff - .milliseconds(1)).isEmpty)
        #expect(c.step(.tick, now: .zero + .seconds(1) + Self.backoff) == [.service(.fence(node: "dss1", delay: .zero))])
        #expect(c.step(.report(.fenced(node: "dss1")), now: .zero + .seconds(3)) == [Self.record("dss2", .starting, 9)])
    }

    @Test("a clean release is not fenced; the coordinator itself is never fenced")
    func noFence() {
        for record in [EtcdHolderRecord(node: "dss1", state: .released, term: 4), EtcdHolderRecord(node: "dss2", state: .running, term: 4)] {
            var (c, _) = Self.follower("dss2", present: ["dss2"])
            _ = c.step(.campaigned(.won(term: 9)), now: .zero)
            #expect(c.step(.holderRead(record), now: .zero) == [Self.record("dss2", .starting, 9)])
        }
    }

    @Test("the lease lost while running: release at once, no etcd write on the way out, a new lease asked for")
    func leaseLost() {
        var c = Self.running("dss1")
        let out = c.step(.leaseLost("no keep-alive answered"), now: .zero + .seconds(10))
        #expect(Self.services(out) == [.release(.lostQuorum)])
        #expect(out.contains(.grantLease))
        #expect(!out.contains { if case .recordHolder = $0 { true } else if case .resign = $0 { true } else { false } })
        #expect(c.step(.report(.released), now: .zero + .seconds(11)).isEmpty)
        #expect(c.phase == .noLease && !c.mayRunService)
        #expect(c.step(.leader(node: nil, term: 0), now: .zero + .seconds(12)).isEmpty, "no lease: no campaign")
        #expect(c.step(.leaseGranted, now: .zero + .seconds(13)) == [.campaign])
    }

    @Test("another coordinator, or a record refused for a stale term: release at once")
    func deposed() {
        var c = Self.takingOver("dss1")
        _ = c.step(.report(.takeoverSucceeded(term: Term(7))), now: .zero)
        #expect(Self.services(c.step(.holderRecorded(false), now: .zero)) == [.release(.lostLeadership)])

        var d = Self.takingOver("dss1")
        #expect(Self.services(d.step(.leader(node: "dss2", term: 12), now: .zero)) == [.release(.lostLeadership)])
    }

    @Test("leave: release, record released, resign, revoke the lease")
    func leave() {
        var c = Self.running("dss1")
        #expect(Self.services(c.step(.leave, now: .zero)) == [.release(.leaving)])
        #expect(c.step(.report(.released), now: .zero) == [Self.record("dss1", .released, 7)])
        #expect(c.step(.holderRecorded(true), now: .zero) == [.resign(term: 7)])
        #expect(c.step(.leader(node: nil, term: 0), now: .zero).isEmpty, "its own resignation seen: nothing to release")
        #expect(c.step(.resigned, now: .zero) == [.revokeLease])
        #expect(c.phase == .left)
        #expect(c.step(.tick, now: .zero + .seconds(60)).isEmpty, "a node that left never campaigns")
    }

    @Test("a failed takeover hands the key back and waits before campaigning again")
    func takeoverFailed() {
        var c = Self.takingOver("dss1", present: ["dss1"])
        #expect(c.step(.report(.startFailed(term: Term(7), reason: "unit failed")), now: .zero) == [Self.record("dss1", .released, 7)])
        #expect(c.step(.holderRecorded(true), now: .zero) == [.resign(term: 7)])
        _ = c.step(.leader(node: nil, term: 0), now: .zero)
        #expect(c.step(.resigned, now: .zero).isEmpty, "backoff: no campaign yet")
        #expect(c.step(.tick, now: .zero + Self.backoff) == [.campaign])
    }

    static func admin(_ edit: (inout AdminState) -> Void) -> AdminState {
        var state = AdminState.initial
        edit(&state)
        return state
    }

    @Test("the admin state places the service: disable and standby release and resign; a move releases for a present target only")
    func adminMovesTheRunningService() {
        var disabled = Self.running("dss1")
        var out = disabled.step(.admin(Self.admin { $0.enabled = false }), now: .zero)
        #expect(Self.services(out) == [.release(.disabled)])
        #expect(disabled.step(.report(.released), now: .zero) == [Self.record("dss1", .released, 7)])
        #expect(disabled.step(.holderRecorded(true), now: .zero) == [.resign(term: 7)])
        _ = disabled.step(.resigned, now: .zero)
        out = disabled.step(.leader(node: nil, term: 0), now: .zero + .seconds(60))
        #expect(out.isEmpty, "disabled: nobody campaigns, however long the key is vacant")

        var standby = Self.running("dss1")
        out = standby.step(.admin(Self.admin { $0.standby = ["dss1"] }), now: .zero)
        #expect(Self.services(out) == [.release(.placement)])

        var moved = Self.running("dss1")
        let prefer = AdminConstraint(kind: .prefer, node: "dss2", expires: nil)
        _ = moved.step(.present(["dss1"]), now: .zero)
        #expect(moved.step(.admin(Self.admin { $0.constraints = [prefer] }), now: .zero).isEmpty,
                "the target is absent: the service stays")
        out = moved.step(.present(["dss1", "dss2"]), now: .zero)
        #expect(Self.services(out) == [.release(.placement)], "the target is present: release and hand over")
    }

    @Test("campaigns follow placement: a move's target goes first, a standby node never campaigns, maintenance freezes")
    func campaignsFollowPlacement() {
        let prefer = AdminConstraint(kind: .prefer, node: "dss2", expires: nil)
        var first = EtcdCoordinator(node: "dss1", config: Self.config, campaignGrace: Self.grace, retryBackoff: Self.backoff)
        _ = first.start()
        _ = first.step(.present(["dss1", "dss2"]), now: .zero)
        _ = first.step(.admin(Self.admin { $0.constraints = [prefer] }), now: .zero)
        _ = first.step(.leaseGranted, now: .zero)
        #expect(first.step(.leader(node: nil, term: 0), now: .zero).isEmpty, "dss2 is preferred: dss1 waits")
        #expect(first.step(.tick, now: .zero + Self.grace) == [.campaign], "dss2 did not campaign in the grace period")

        var target = EtcdCoordinator(node: "dss2", config: Self.config, campaignGrace: Self.grace, retryBackoff: Self.backoff)
        _ = target.start()
        _ = target.step(.present(["dss1", "dss2"]), now: .zero)
        _ = target.step(.admin(Self.admin { $0.constraints = [prefer] }), now: .zero)
        #expect(target.step(.leaseGranted, now: .zero) == [.campaign], "the move's target campaigns at once")

        var standby = EtcdCoordinator(node: "dss1", config: Self.config, campaignGrace: Self.grace, retryBackoff: Self.backoff)
        _ = standby.start()
        _ = standby.step(.admin(Self.admin { $0.standby = ["dss1"] }), now: .zero)
        _ = standby.step(.present(["dss1"]), now: .zero)
        _ = standby.step(.leaseGranted, now: .zero)
        #expect(standby.step(.leader(node: nil, term: 0), now: .zero + .seconds(60)).isEmpty, "standby: never")

        var frozen = Self.running("dss1")
        _ = frozen.step(.admin(Self.admin { $0.maintenance = true; $0.enabled = false }), now: .zero)
        #expect(frozen.phase == .running(term: 7), "maintenance: the service is left alone")
        let status = frozen.status(config: Self.config, holderRecord: nil, healthyMembers: 3)
        #expect(status.placement == .maintenance && status.admin.maintenance)
    }

    @Test("a failure of the running service is counted in etcd: restart in place below migration_threshold, release at it; a lost lock at once; maintenance ignores it")
    func failuresAreCounted() {
        let threshold = Self.config.service.migrationThreshold
        #expect(threshold >= 2, "the fixture's threshold allows a restart in place")
        var c = Self.running("dss1")
        for failure in 1..<threshold {
            let out = c.step(.report(.serviceFailed(reason: "unit died")), now: .zero, wallClock: 1000)
            #expect(out.contains(.recordFailure(node: "dss1", fatal: false)))
            #expect(Self.services(out) == [.restart(term: Term(7))], "failure \(failure) of \(threshold): restart in place")
            #expect(c.admin.failureCount(of: "dss1", at: 1000, expiry: Self.config.service.failureExpiry) == failure)
            _ = c.step(.report(.takeoverSucceeded(term: Term(7))), now: .zero)
            _ = c.step(.holderRecorded(true), now: .zero)
            #expect(c.phase == .running(term: 7))
        }
        let last = c.step(.report(.serviceFailed(reason: "unit died")), now: .zero, wallClock: 1000)
        #expect(Self.services(last) == [.release(.serviceFailed)], "at the threshold: released, leadership handed back")
        #expect(c.phase == .releasing(term: 7, resign: true))

        var locked = Self.running("dss1")
        let out = locked.step(.report(.lockLost(reason: "lock file replaced")), now: .zero, wallClock: 1000)
        #expect(out.contains(.recordFailure(node: "dss1", fatal: true)) && Self.services(out) == [.release(.serviceFailed)])

        var frozen = Self.running("dss1")
        _ = frozen.step(.admin(Self.admin { $0.maintenance = true }), now: .zero)
        #expect(Self.services(frozen.step(.report(.serviceFailed(reason: "stopped by hand")), now: .zero)).isEmpty)
        #expect(frozen.phase == .running(term: 7))
    }
}

extension Action {
    var isEvent: Bool { if case .event = self { true } else { false } }
}
