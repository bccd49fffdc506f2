import Testing
@testable import ClusterCore

/// Datagrams as a released daemon sends them, committed byte for byte (`WireGoldenDatagrams`).
/// While the version stays the same, today's encoder must produce exactly these bytes and
/// every one must open and decode.
///
/// Version 2 broke compatibility with version 1 on purpose: a version-1 datagram names no
/// recipient run, so a receiver cannot tell it from a replay of an earlier run's traffic. Every
/// version-1 datagram is refused before decryption, naming both versions. Only a new wire
/// version adds a fixture set (a failure message prints today's bytes); committed sets never change.
@Suite struct WireGoldenTests {
    /// One message of every kind, with values that exercise every field.
    static let messages: [(name: String, message: Message)] = {
        let stamp = AdminStamp(term: Term(7), version: AdminVersion(12))
        let admin = AdminState(
            stamp: stamp, enabled: true, maintenance: false, standby: ["dss3"],
            constraints: [AdminConstraint(kind: .ban, node: "dss2", expires: 1_795_000_000),
                          AdminConstraint(kind: .prefer, node: "dss1")],
            failures: [FailureRecord(node: "dss2", count: 2, lastFailure: 1_794_990_000)],
            mayHold: ["dss1"])
        return [
            ("preVoteRequest", .preVoteRequest(term: Term(8), admin: stamp)),
            ("preVoteResponse", .preVoteResponse(term: Term(8), granted: true)),
            ("voteRequest", .voteRequest(term: Term(8), admin: stamp, transfer: true)),
            ("voteResponse", .voteResponse(term: Term(8), granted: false, sinceLeaderContact: .milliseconds(1234))),
            ("heartbeat", .heartbeat(term: Term(7), sequence: 99, admin: admin, committed: stamp, holder: "dss1",
                                     members: ["dss1", "dss2", "dss3"])),
            ("heartbeatNoHolder", .heartbeat(term: Term(7), sequence: 100, admin: .initial, committed: .zero, holder: nil,
                                             members: ["dss1"])),
            ("heartbeatAck", .heartbeatAck(term: Term(7), sequence: 99, admin: stamp, holding: false)),
            ("timeoutNow", .timeoutNow(term: Term(7))),
            ("commandMove", .command(id: RequestID(42), command: .move(node: "dss2", lifetime: .seconds(3600)))),
            ("commandMaintenance", .command(id: RequestID(43), command: .maintenance(on: true))),
            ("commandReplyCommitted", .commandReply(id: RequestID(42), outcome: .committed(AdminVersion(13)))),
            ("commandReplyRejected", .commandReply(id: RequestID(44), outcome: .rejected(.unknownNode("dss9")))),
        ]
    }()

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    /// Sealed by dss1 (incarnation 5) for dss2, in list order (sequence 1, 2, ...).
    static func sealAll() throws -> [String: [UInt8]] {
        var sender = WireFixture.session("dss1", incarnation: 5)
        var sealed: [String: [UInt8]] = [:]
        for (name, message) in messages {
            sealed[name] = try sender.seal(MessageCodec.encode(message), to: "dss2")
        }
        return sealed
    }

    @Test("every committed version-2 datagram opens and decodes to its message")
    func goldenDatagramsDecode() throws {
        var receiver = WireFixture.session("dss2")
        #expect(Set(WireGoldenDatagrams.version2.keys) == Set(Self.messages.map(\.name)), "a message kind has no golden datagram")
        for (name, message) in Self.messages {
            let datagram = try #require(WireGoldenDatagrams.version2[name].map(Self.bytes))
            let opened = try receiver.open(datagram) { (_, payload) throws(WireError) in try MessageCodec.decode(payload) }
            #expect(opened.payload == message, "\(name)")
            #expect(opened.sender == "dss1" && opened.incarnation == Incarnation(5))
        }
    }

    @Test("today's encoder still writes version 2 byte for byte")
    func encoderIsUnchanged() throws {
        let sealed = try Self.sealAll()
        for (name, _) in Self.messages {
            #expect(sealed[name].map(Self.hex) == WireGoldenDatagrams.version2[name],
                    "\(name): the wire format changed; bump WireFormat.version and add a fixture set. Now: \(sealed[name].map(Self.hex) ?? "-")")
        }
    }

    @Test("every version-1 datagram is refused before decryption, naming both versions")
    func versionOneIsRefused() throws {
        var receiver = WireFixture.session("dss2")
        for hex in Array(WireGoldenDatagrams.version1.values) + [WireGoldenDatagrams.nodeInfo] {
            #expect(throws: WireError.unsupportedVersion(1)) { try receiver.open(Self.bytes(hex)) }
        }
        #expect(receiver.counters[.unsupportedVersion] == UInt64(WireGoldenDatagrams.version1.count + 1))
        #expect(receiver.counters[.authenticationFailed] == 0, "refused before any decryption")
        #expect(WireError.unsupportedVersion(1).description == "unsupported protocol version 1, this node speaks 2")
    }

    /// The node info datagram as the first release that sends it seals it (kind 2, sealed by
    /// dss1, incarnation 5, sequence 1, for dss2).
    static let nodeInfo = NodeInfo(
        software: "0.9.0",
        config: ConfigDigest(sections: ["cluster": 0x0102_0304, "quorum": 5, "node": 6, "service": 0xdead_beef,
                                        "storage": 7, "floating_ip": 8, "fencing": 9]),
        replyWanted: true, membersSupported: false)

    @Test("the committed node info datagram opens and decodes; today's encoder writes it byte for byte")
    func goldenNodeInfo() throws {
        var sender = WireFixture.session("dss1", incarnation: 5)
        let sealed = try sender.seal(Self.nodeInfo.encode(), kind: .nodeInfo, to: "dss2")
        #expect(Self.hex(sealed) == WireGoldenDatagrams.nodeInfo2, "the node info encoding changed; now: \(Self.hex(sealed))")
        var receiver = WireFixture.session("dss2")
        let opened = try receiver.open(Self.bytes(WireGoldenDatagrams.nodeInfo2)) { (kind, payload) throws(WireError) in
            guard kind == .nodeInfo else { throw WireError.malformed(field: "kind", reason: "\(kind)") }
            return try NodeInfo.decode(payload)
        }
        #expect(opened.payload == Self.nodeInfo)
    }

    /// Messages the member lists added (same wire version: what an earlier release of it never
    /// sends), sealed by dss1 (incarnation 5) for dss2 in list order (sequence 1, 2, ...).
    static let memberListMessages: [(name: String, message: Message)] = {
        let stamp = AdminStamp(term: Term(9), version: AdminVersion(20))
        let admin = AdminState(stamp: stamp, mayHold: ["dss1"], voters: ["dss1", "dss2", "dss3", "dss4"])
        return [
            ("heartbeatVoters", .heartbeat(term: Term(9), sequence: 7, admin: admin, committed: stamp, holder: "dss1",
                                           members: ["dss1", "dss2", "dss4"])),
            ("commandNodeAdd", .command(id: RequestID(50), command: .addNode("dss4"))),
            ("commandNodeRemove", .command(id: RequestID(51), command: .removeNode("dss2"))),
            ("commandReplyPending", .commandReply(id: RequestID(51), outcome: .rejected(.changePending(AdminVersion(20))))),
        ]
    }()

    @Test("the member-list datagrams: committed bytes decode, and today's encoder writes them byte for byte")
    func memberListDatagrams() throws {
        var sender = WireFixture.session("dss1", incarnation: 5)
        var receiver = WireFixture.session("dss2")
        for (name, message) in Self.memberListMessages {
            let sealed = try sender.seal(MessageCodec.encode(message), to: "dss2")
            guard let golden = WireGoldenDatagrams.memberLists[name] else {
                Issue.record("\(name) has no committed datagram; now: \(Self.hex(sealed))")
                continue
            }
            #expect(Self.hex(sealed) == golden, "\(name) changed; now: \(Self.hex(sealed))")
            let opened = try receiver.open(Self.bytes(golden)) { (_, payload) throws(WireError) in try MessageCodec.decode(payload) }
            #expect(opened.payload == message, "\(name)")
        }
    }
}
