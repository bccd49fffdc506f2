import CoreTestSupport
import Foundation
import Testing

@testable import ClusterCore

@Suite("Control protocol encoding")
struct ControlProtocolTests {
    static let requests: [ControlRequest] = [
        .status,
        .events(since: 1_700_000_000.5, limit: 20, follow: true),
        .events(since: nil, limit: nil, follow: false),
        .admin(.enable),
        .admin(.disable),
        .admin(.move(node: "dss2", lifetime: .seconds(600))),
        .admin(.move(node: nil, lifetime: nil)),
        .admin(.ban(node: "dss1", lifetime: .milliseconds(1500))),
        .admin(.ban(node: "dss1", lifetime: nil)),
        .admin(.clear(node: nil)),
        .admin(.clear(node: "dss1")),
        .admin(.standby(node: "dss3")),
        .admin(.unstandby(node: "dss3")),
        .admin(.maintenance(on: true)),
        .admin(.maintenance(on: false)),
        .admin(.cleanup(node: nil)),
        .admin(.cleanup(node: "dss2")),
        .fence(node: "dss2"),
        .fenceConfirm(node: "dss1"),
        .quorumUnblock,
        .checkStoragePeer(StoragePeerProbe(node: "dss2", path: "/data", markerFile: ".m", token: "abc", lockFile: ".m", user: "dataiku")),
        .reload,
    ]

    @Test("every request survives encode and decode", arguments: requests)
    func requestRoundTrip(_ request: ControlRequest) throws {
        let line = try ControlProtocol.encodeRequest(request, id: 42)
        #expect(line.last == 0x0A)
        let decoded = ControlProtocol.decodeRequest(line.dropLast())
        #expect(decoded.id == 42)
        #expect(try decoded.outcome.get() == request)
    }

    @Test("the admin wire form is explicit and stable")
    func adminWireForm() throws {
        let line = try ControlProtocol.encodeRequest(.admin(.move(node: "dss2", lifetime: .seconds(600))), id: 7)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text == #"{"id":7,"request":{"command":{"lifetime_ms":600000,"node":"dss2","type":"move"},"type":"admin"},"v":1}"# + "\n")
    }

    static let responses: [ControlResponse] = [
        .result(.status(StatusReportFixtures.spec)),
        .result(.status(StatusReportFixtures.full)),
        .result(.events([ClusterEvent(time: 1.5, node: "dss1", kind: .electionWon, message: "won term 7", durationMilliseconds: 12)])),
        .result(.event(ClusterEvent(time: 2, node: "dss2", kind: .fenceFailed, severity: .error, message: "ipmi timed out"))),
        .result(.committed(AdminCommit(version: 12, detail: "dss1 banned"))),
        .result(.fenced(FenceOutcome(node: "dss2", succeeded: true, level: 1, devices: ["ipmi"], detail: "off", durationMilliseconds: 3200))),
        .result(.storagePeer(StoragePeerReport(node: "dss2", path: "/d", exists: true, isDirectory: true, ownerUID: 0, ownerGID: 0, filesystem: "nfs4", markerMatches: true, lock: .failed("EIO"), userUID: 1000))),
        .result(.reloading(ReloadAccepted(binary: "/usr/local/sbin/haclusterd", config: "/etc/hacluster/haclusterd.toml", pid: 812))),
        .result(.overridden(OverrideAccepted(action: "fence_confirm", node: "dss1", appliedOn: "dss2", uid: 0, detail: "dss1 counts as fenced"))),
        .result(.overridden(OverrideAccepted(action: "quorum_unblock", appliedOn: "dss1", uid: 1000, detail: "no longer waiting"))),
        .result(.events([ClusterEvent(time: 3, node: "dss2", kind: .quorumUnblocked, severity: .warning, message: "uid 1000 unblocked the quorum", uid: 1000)])),
        .error(.notAuthorized(uid: 1000, user: "alice", group: "haclient")),
        .error(.noQuorum(votes: 1, expected: 3)),
        .error(.timeout(milliseconds: 30000)),
        .error(.rejected(reason: "no node named dss9")),
        .error(.badRequest(reason: "missing key")),
        .error(.unsupportedVersion(received: 2, supported: 1)),
        .error(.internal(message: "state file unwritable")),
    ]

    @Test("every response survives encode and decode", arguments: responses)
    func responseRoundTrip(_ response: ControlResponse) throws {
        let line = ControlProtocol.encodeResponse(response, id: 9)
        let envelope = try ControlProtocol.decodeResponse(line.dropLast())
        #expect(envelope.id == 9)
        #expect(envelope.response == response)
    }

    @Test("exit statuses of control errors follow the spec")
    func exitStatuses() {
        #expect(ControlError.notAuthorized(uid: 5, user: nil, group: "haclient").exitStatus == 4)
        #expect(ControlError.noQuorum(votes: 1, expected: 3).exitStatus == 4)
        #expect(ControlError.badRequest(reason: "x").exitStatus == 2)
        #expect(ControlError.rejected(reason: "x").exitStatus == 1)
        #expect(ControlError.timeout(milliseconds: 1).exitStatus == 1)
    }

    static let malformed: [(String, String)] = [
        ("not json at all", "not a JSON object"),
        ("[1,2,3]", "not a JSON object"),
        (#"{"id":1,"request":{"type":"status"}}"#, "missing protocol version"),
        (#"{"v":1,"id":1}"#, "missing key \"request\""),
        (#"{"v":1,"id":1,"request":{"type":"reboot"}}"#, "unknown request type 'reboot'"),
        (#"{"v":1,"id":1,"request":{"type":"admin","command":{"type":"explode"}}}"#, "unknown admin command 'explode'"),
        (#"{"v":1,"id":1,"request":{"type":"admin","command":{"type":"ban"}}}"#, "missing key \"node\""),
        (#"{"v":1,"id":1,"request":{"type":"admin","command":{"type":"ban","node":"a","lifetime_ms":-5}}}"#, "lifetime must be positive"),
        (#"{"v":1,"id":1,"request":{"type":"fence","node":17}}"#, "request.node: expected String"),
        (#"{"v":1,"id":"x","request":{"type":"status"}}"#, "not a JSON object"),
    ]

    @Test("malformed requests get a clear bad_request", arguments: malformed)
    func malformedRequest(_ input: (String, String)) {
        let decoded = ControlProtocol.decodeRequest(Array(input.0.utf8))
        guard case let .failure(.badRequest(reason)) = decoded.outcome else {
            Issue.record("expected bad_request for \(input.0), got \(decoded.outcome)")
            return
        }
        #expect(reason.contains(input.1), "reason: \(reason)")
    }

    @Test("an unknown version is refused as such, with the id")
    func unknownVersion() {
        let decoded = ControlProtocol.decodeRequest(Array(#"{"v":2,"id":5,"request":{"type":"status"}}"#.utf8))
        #expect(decoded.id == 5)
        #expect(decoded.outcome == .failure(.unsupportedVersion(received: 2, supported: 1)))
    }

    @Test("an unknown error code from a newer daemon still decodes")
    func unknownErrorCode() throws {
        let line = #"{"v":1,"id":1,"error":{"code":"quota","message":"too many"}}"#
        let envelope = try ControlProtocol.decodeResponse(Array(line.utf8))
        #expect(envelope.response == .error(.internal(message: "quota: too many")))
    }

    @Test("access needed: reading for status and events, changing for the rest")
    func requiredAccess() {
        #expect(ControlRequest.status.requiredAccess == .read)
        #expect(ControlRequest.events(since: nil, limit: nil, follow: true).requiredAccess == .read)
        #expect(ControlRequest.admin(.enable).requiredAccess == .change)
        #expect(ControlRequest.fence(node: "a").requiredAccess == .change)
        #expect(ControlRequest.fenceConfirm(node: "a").requiredAccess == .change)
        #expect(ControlRequest.quorumUnblock.requiredAccess == .change)
    }

    @Test("overrides: the wire forms, and an event's uid travels only when set")
    func overrideWireForm() throws {
        let confirm = String(decoding: try ControlProtocol.encodeRequest(.fenceConfirm(node: "dss1"), id: 3), as: UTF8.self)
        #expect(confirm == #"{"id":3,"request":{"node":"dss1","type":"fence_confirm"},"v":1}"# + "\n")
        let unblock = String(decoding: try ControlProtocol.encodeRequest(.quorumUnblock, id: 4), as: UTF8.self)
        #expect(unblock == #"{"id":4,"request":{"type":"quorum_unblock"},"v":1}"# + "\n")
        let encoder = ControlProtocol.makeEncoder()
        let withUID = String(decoding: try encoder.encode(ClusterEvent(time: 1, node: "dss2", kind: .fenceOperatorConfirmed, message: "m", uid: 0)), as: UTF8.self)
        #expect(withUID.contains(#""uid":0"#))
        let without = String(decoding: try encoder.encode(ClusterEvent(time: 1, node: "dss2", kind: .electionWon, message: "m")), as: UTF8.self)
        #expect(!without.contains("uid"))
    }
}

extension ControlRequest: CustomTestStringConvertible {
    public var testDescription: String { type }
}

extension ControlResponse: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case let .result(result): "result \(result.type)"
        case let .error(error): "error \(error.code)"
        }
    }
}
