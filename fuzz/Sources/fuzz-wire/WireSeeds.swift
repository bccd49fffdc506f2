import ClusterCore
import Foundation
import FuzzSupport

/// The seed corpus of fuzz-wire (`FUZZ_WRITE_SEEDS=DIR fuzz-wire`): every kind of payload, each
/// once as a datagram sealed by dss1 (incarnation 5) for dss2's run (incarnation 1) and once as a
/// plain payload input (kind byte, then the plaintext); plus the first datagram of a sender that
/// has not heard dss2 yet (recipient incarnation 0, refused as `otherRun`). scripts/fuzz-corpus
/// adds the unit tests' golden datagrams of the current wire version.
enum WireSeeds {
    static let messages: [(name: String, message: Message)] = {
        let stamp = AdminStamp(term: Term(7), version: AdminVersion(12))
        let admin = AdminState(
            stamp: stamp, enabled: true, maintenance: true, standby: ["dss3"],
            constraints: [AdminConstraint(kind: .ban, node: "dss2", expires: 1_795_000_000),
                          AdminConstraint(kind: .prefer, node: "dss1")],
            failures: [FailureRecord(node: "dss2", count: 2, lastFailure: 1_794_990_000)],
            mayHold: ["dss1", "dss3"])
        return [
            ("preVoteRequest", .preVoteRequest(term: Term(8), admin: stamp)),
            ("preVoteResponse", .preVoteResponse(term: Term(8), granted: true)),
            ("voteRequest", .voteRequest(term: Term(8), admin: stamp, transfer: true)),
            ("voteResponse", .voteResponse(term: Term(8), granted: false, sinceLeaderContact: .milliseconds(1234))),
            ("heartbeat", .heartbeat(term: Term(7), sequence: 99, admin: admin, committed: stamp, holder: "dss1",
                                     members: ["dss1", "dss2", "dss3"])),
            ("heartbeatInitial", .heartbeat(term: Term(1), sequence: 1, admin: .initial, committed: .zero, holder: nil, members: [])),
            ("heartbeatAck", .heartbeatAck(term: Term(7), sequence: 99, admin: stamp, holding: true)),
            ("timeoutNow", .timeoutNow(term: Term(7))),
            ("commandEnable", .command(id: RequestID(1), command: .enable)),
            ("commandDisable", .command(id: RequestID(2), command: .disable)),
            ("commandMove", .command(id: RequestID(3), command: .move(node: "dss2", lifetime: .seconds(3600)))),
            ("commandMoveAway", .command(id: RequestID(4), command: .move(node: nil, lifetime: nil))),
            ("commandBan", .command(id: RequestID(5), command: .ban(node: "dss1", lifetime: .milliseconds(1500)))),
            ("commandClear", .command(id: RequestID(6), command: .clear(node: "dss1"))),
            ("commandStandby", .command(id: RequestID(7), command: .standby(node: "dss3"))),
            ("commandUnstandby", .command(id: RequestID(8), command: .unstandby(node: "dss3"))),
            ("commandMaintenance", .command(id: RequestID(9), command: .maintenance(on: true))),
            ("commandCleanup", .command(id: RequestID(10), command: .cleanup(node: nil))),
            ("replyCommitted", .commandReply(id: RequestID(3), outcome: .committed(AdminVersion(13)))),
            ("replyNoQuorum", .commandReply(id: RequestID(4), outcome: .noQuorum)),
            ("replyUnknownNode", .commandReply(id: RequestID(5), outcome: .rejected(.unknownNode("dss9")))),
            ("replyWitnessNode", .commandReply(id: RequestID(6), outcome: .rejected(.witnessNode("w1")))),
            ("replyNotRunning", .commandReply(id: RequestID(7), outcome: .rejected(.serviceNotRunning))),
            ("replyInvalidLifetime", .commandReply(id: RequestID(8), outcome: .rejected(.invalidLifetime))),
        ]
    }()

    static let infos: [(name: String, info: NodeInfo)] = [
        ("nodeInfo", NodeInfo(software: "0.9.0", config: ConfigDigest(sections: [
            "cluster": 0x1234_5678, "quorum": 1, "node": 2, "service": 3, "storage": 4, "floating_ip": 5, "fencing": 6,
        ]), replyWanted: true)),
        ("nodeInfoEmpty", NodeInfo(software: "", config: ConfigDigest(sections: [:]))),
    ]

    static let relays: [(name: String, relay: RelayMessage)] = [
        ("relayRequest", RelayMessage(id: 1, kind: .request, body: Array(#"{"node":"dss2","path":"/data","marker_file":".m","token":"abc"}"#.utf8))),
        ("relayAnswer", RelayMessage(id: 1, kind: .answer, body: Array(#"{"ok":true}"#.utf8))),
        ("relayError", RelayMessage(id: 2, kind: .error, body: Array("no such node".utf8))),
    ]

    static func write(to directory: String) {
        var seeds: [(String, WireFormat.PayloadKind, [UInt8])] = []
        do {
            for (name, message) in messages { seeds.append((name, .electionMessage, try MessageCodec.encode(message))) }
            for (name, info) in infos { seeds.append((name, .nodeInfo, try info.encode())) }
            for (name, relay) in relays { seeds.append((name, .relay, try relay.encode())) }
        } catch {
            FuzzWire.finding.fail("cannot encode a seed: \(error)")
        }
        var sender = FuzzWire.introducedSender
        for (name, kind, plaintext) in seeds {
            guard let datagram = try? sender.seal(plaintext, kind: kind, to: "dss2") else {
                FuzzWire.finding.fail("cannot seal the seed \(name)")
            }
            // Payload inputs: the kind byte as FuzzWire.run reads it (kind = byte % 3 + 1).
            SeedFile.write(datagram, to: directory, name: "datagram-\(name)")
            SeedFile.write([kind.rawValue - 1] + plaintext, to: directory, name: "payload-\(name)")
        }
        // A just-started sender's first datagram: node info bound to no run of dss2 yet.
        var newcomer = FuzzWire.newSender()
        guard let info = try? infos[0].info.encode(), let first = try? newcomer.seal(info, kind: .nodeInfo, to: "dss2") else {
            FuzzWire.finding.fail("cannot seal the seed firstContact")
        }
        SeedFile.write(first, to: directory, name: "datagram-firstContact")
    }
}
