import Foundation
import Testing

@testable import ClusterCore

@Suite("Event kinds")
struct EventKindTests {
    /// Every kind `hactl events` and the journal (`EVENT_KIND`) print, as they printed them
    /// before the kinds became one enum. SPEC.md names no event kinds; this list is the
    /// contract: a kind may be added here, never renamed.
    static let published: Set<String> = [
        "arbiter.peer-alive", "arbiter.peer-silent", "arbiter.storage-lost", "arbiter.storage-restored",
        "arbiter.poison-written", "arbiter.poison-read",
        "election.prevote", "election.started", "election.won", "leader.stepped-down",
        "lease.claimed", "lease.lost", "leadership.transfer", "leadership.transfer-failed", "leadership.step-down", "node.leaving", "admin.change",
        "service.failed-ignored", "service.restart", "restart.stop", "adopt.failed", "adopt.start.unit",
        "service.takeover", "service.started", "service.takeover-failed", "service.release",
        "service.stopped", "service.failed",
        "fence.requested", "fence.started", "fence.race.delay", "fence.delay", "fence.attempt",
        "fence.attempt.succeeded", "fence.attempt.failed", "fence.confirmed", "fence.level.failed",
        "fence.succeeded", "fence.failed", "fence.device.failing", "fence.device.recovered",
        "takeover.fence", "takeover.lock", "takeover.ip", "takeover.ip.announce", "takeover.start",
        "takeover.start.unit", "takeover.healthy", "ip.restored", "lock.retaken", "takeover.blocked", "takeover.failed", "takeover.undo",
        "release.begin", "release.stop", "release.ip", "release.unlock", "release.selffence",
        "reload.refused", "reload.done", "reload.resumed", "audit.warning",
        "runtime.started", "link.bound", "link.unbound", "link.down", "link.up", "wire.rejected", "wire.flood", "wire.unreachable",
        "wire.unsendable", "persist.failed", "persist.recovered",
        "fence.operator-confirmed", "quorum.unblocked", "membership.change",
        "etcd.lease.granted", "etcd.error",
    ]

    /// The kinds the documentation names (README, DESIGN.md, doc comments); SPEC.md names none.
    static let documented: [String] = [
        "election.won", "takeover.fence", "takeover.lock", "takeover.ip", "takeover.start", "takeover.healthy",
        "fence.failed", "fence.device.failing", "fence.device.recovered", "link.unbound", "link.down", "link.up",
    ]

    @Test func rawValuesAreUnique() {
        let raw = EventKind.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
    }

    @Test("every kind is <area>.<what>: lowercase words, dots between, hyphens inside a word")
    func rawValuesHaveTheAreaDotWhatShape() {
        for kind in EventKind.allCases {
            #expect(Self.hasAreaDotWhatShape(kind.rawValue), "\(kind.rawValue)")
        }
        for bad in ["election", "Election.won", "election.", ".won", "election..won", "election.-won", "fence.race-", "a_b.c"] {
            #expect(!Self.hasAreaDotWhatShape(bad), "\(bad)")
        }
    }

    @Test func theKindsAreExactlyThePublishedOnes() {
        #expect(Set(EventKind.allCases.map(\.rawValue)) == Self.published)
    }

    @Test func theDocumentedKindsExist() {
        for kind in Self.documented {
            #expect(EventKind(rawValue: kind) != nil, "\(kind)")
        }
    }

    @Test("interpolation prints the raw value (traces, messages)")
    func descriptionIsTheRawValue() {
        for kind in EventKind.allCases {
            #expect("\(kind)" == kind.rawValue)
        }
    }

    @Test func stepKindsAreTheStepNames() {
        #expect(TakeoverStep.allCases.map(\.eventKind.rawValue) == TakeoverStep.allCases.map { "takeover.\($0.rawValue)" })
        #expect(ReleaseStep.allCases.map(\.eventKind.rawValue) == ReleaseStep.allCases.map { "release.\($0.rawValue)" })
    }

    @Test("a ClusterEvent carries the kind's raw value on the wire")
    func clusterEventWireForm() throws {
        let record = EventRecord(kind: .takeoverLock, message: "took the storage lock", durationMilliseconds: 12)
        let event = ClusterEvent(record, time: 1.5, node: "dss1")
        #expect(event.kind == "takeover.lock")
        #expect(event.durationMilliseconds == 12)
        let line = ControlProtocol.encodeResponse(.result(.event(event)), id: 1)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#""kind":"takeover.lock""#))
    }

    @Test("an hactl decodes the events of a daemon that knows kinds it does not")
    func unknownKindsDecode() throws {
        let event = ClusterEvent(time: 2, node: "dss2", kind: .fenceFailed, severity: .error, message: "ipmi timed out")
        let line = ControlProtocol.encodeResponse(.result(.event(event)), id: 1)
        let future = String(decoding: line, as: UTF8.self).replacingOccurrences(of: "fence.failed", with: "fence.future-kind")
        let decoded = try ControlProtocol.decodeResponse(Array(future.utf8).dropLast())
        guard case let .result(.event(received)) = decoded.response else {
            Issue.record("expected an event, got \(decoded.response)")
            return
        }
        #expect(received.kind == "fence.future-kind")
    }

    static func hasAreaDotWhatShape(_ kind: String) -> Bool {
        let parts = kind.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let area = parts.first, !area.isEmpty, area.allSatisfy({ $0 >= "a" && $0 <= "z" }) else {
            return false
        }
        return parts.dropFirst().allSatisfy { word in
            !word.isEmpty && word.first != "-" && word.last != "-"
                && word.allSatisfy { ($0 >= "a" && $0 <= "z") || $0 == "-" }
        }
    }
}
