import Foundation
import Testing
@testable import ClusterCore

/// Election messages survive encoding, sealing and opening unchanged, and the
/// decoder rejects every damaged encoding with a named field.
@Suite struct WireMessageCodecTests {
    /// Random messages covering every case and field (seeded: same seed, same messages).
    struct MessageGenerator {
        var random: ElectionRandom
        let names = ["dss1", "dss2", "dss3", "witness-a", "nœud-é", String(repeating: "n", count: 255)]

        init(seed: UInt64) { random = ElectionRandom(seed: seed) }

        mutating func name() -> String { names.randomElement(using: &random)! }
        mutating func optionalName() -> String? { Bool.random(using: &random) ? name() : nil }
        mutating func term() -> Term { Term(UInt64.random(in: 0...UInt64.max, using: &random)) }
        mutating func u64() -> UInt64 { UInt64.random(in: 0...UInt64.max, using: &random) }
        mutating func bool() -> Bool { Bool.random(using: &random) }
        mutating func stamp() -> AdminStamp { AdminStamp(term: term(), version: AdminVersion(u64())) }
        mutating func duration() -> Duration {
            switch Int.random(in: 0..<3, using: &random) {
            // What a sender can send: a time since an event, never negative, at most a century.
            case 0: .nanoseconds(Int64.random(in: 0...(MessageCodec.maxWireSeconds * 1_000_000_000), using: &random))
            case 1: .seconds(Int64.random(in: 0...1_000_000, using: &random))
            default: .zero
            }
        }
        mutating func optionalDuration() -> Duration? { bool() ? duration() : nil }
        mutating func names(max: Int) -> [String] { (0..<Int.random(in: 0...max, using: &random)).map { _ in name() } }

        mutating func admin() -> AdminState {
            AdminState(
                stamp: stamp(),
                enabled: bool(),
                maintenance: bool(),
                standby: names(max: 3),
                constraints: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    AdminConstraint(kind: bool() ? .ban : .prefer, node: name(), expires: bool() ? u64() : nil)
                },
                failures: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    FailureRecord(node: name(), count: Int.random(in: 0...Int(Int32.max), using: &random), lastFailure: u64())
                },
                mayHold: names(max: 2),
                voters: voters()
            )
        }

        /// A recorded member list (unique, non-empty) or none.
        mutating func voters() -> [String]? {
            var unique: [String] = []
            for name in names(max: 4) where !unique.contains(name) { unique.append(name) }
            return unique.isEmpty ? nil : unique
        }

        mutating func command() -> AdminCommand {
            switch Int.random(in: 0..<11, using: &random) {
            case 0: .enable
            case 1: .disable
            case 2: .move(node: optionalName(), lifetime: optionalDuration())
            case 3: .ban(node: name(), lifetime: optionalDuration())
            case 4: .clear(node: optionalName())
            case 5: .standby(node: name())
            case 6: .unstandby(node: name())
            case 7: .maintenance(on: bool())
            case 8: .addNode(name())
            case 9: .removeNode(name())
            default: .cleanup(node: optionalName())
            }
        }

        mutating func outcome() -> CommandOutcome {
            switch Int.random(in: 0..<14, using: &random) {
            case 0: .committed(AdminVersion(u64()))
            case 1: .noQuorum
            case 2: .rejected(.unknownNode(name()))
            case 3: .rejected(.witnessNode(name()))
            case 4: .rejected(.serviceNotRunning)
            case 5: .rejected(.membersNotRecorded)
            case 6: .rejected(.alreadyMember(name()))
            case 7: .rejected(.notMember(name()))
            case 8: .rejected(.nodeNotHeard(name()))
            case 9: .rejected(.removingLeader(name()))
            case 10: .rejected(.nodeRunsService(name()))
            case 11: .rejected(.changePending(AdminVersion(u64())))
            case 12: .rejected(.twoNodeMembership)
            default: .rejected(.invalidLifetime)
            }
        }

        /// `kind` selects the case (0..<9), so a loop can cover every case evenly.
        mutating func message(kind: Int) -> Message {
            switch kind % 9 {
            case 0: .preVoteRequest(term: term(), admin: stamp())
            case 1: .preVoteResponse(term: term(), granted: bool())
            case 2: .voteRequest(term: term(), admin: stamp(), transfer: bool())
            case 3: .voteResponse(term: term(), granted: bool(), sinceLeaderContact: duration())
            case 4: .heartbeat(term: term(), sequence: u64(), admin: admin(), committed: stamp(), holder: optionalName(), members: names(max: 3))
            case 5: .heartbeatAck(term: term(), sequence: u64(), admin: stamp(), holding: bool())
            case 6: .timeoutNow(term: term())
            case 7: .command(id: RequestID(u64()), command: command())
            default: .commandReply(id: RequestID(u64()), outcome: outcome())
            }
        }
    }

    @Test func randomMessagesRoundTripThroughCodecAndSession() throws {
        var generator = MessageGenerator(seed: 0xC0FFEE)
        var sender = WireFixture.session("dss1")
        var receiver = WireFixture.session("dss2")
        var sealedCount = 0
        for index in 0..<5000 {
            let message = generator.message(kind: index)
            let encoded = try MessageCodec.encode(message)
            #expect(try MessageCodec.decode(encoded) == message, "message \(index): \(message)")
            let datagram: [UInt8]
            do {
                datagram = try sender.seal(encoded, to: "dss2")
            } catch {
                // Only heartbeats with several 255-byte names may exceed a datagram.
                #expect(error.reason == .oversized && message.kind == "heartbeat")
                continue
            }
            let opened = try receiver.open(datagram) { (_, payload) throws(WireError) in try MessageCodec.decode(payload) }
            #expect(opened.payload == message)
            sealedCount += 1
        }
        #expect(sealedCount > 4000)
        #expect(receiver.counters.accepted == UInt64(sealedCount))
    }

    @Test func everyTruncationAndTrailingByteIsMalformed() throws {
        var generator = MessageGenerator(seed: 7)
        for index in 0..<300 {
            let message = generator.message(kind: index)
            let encoded = try MessageCodec.encode(message)
            // The member list closes a heartbeat optionally (earlier releases end before it):
            // cut exactly there, a heartbeat reads as one without it. (The AEAD tag rules out
            // a cut datagram on the wire.) Every other cut is malformed.
            var withoutVoters: (length: Int, message: Message)?
            if case let .heartbeat(term, sequence, admin, committed, holder, members) = message, admin.voters != nil {
                var bare = admin
                bare.voters = nil
                let short = Message.heartbeat(term: term, sequence: sequence, admin: bare, committed: committed, holder: holder, members: members)
                withoutVoters = (try MessageCodec.encode(short).count, short)
            }
            for length in 0..<encoded.count {
                if let withoutVoters, length == withoutVoters.length {
                    #expect(try MessageCodec.decode(Array(encoded.prefix(length))) == withoutVoters.message)
                    continue
                }
                #expect(throws: WireError.self) { try MessageCodec.decode(Array(encoded.prefix(length))) }
            }
            #expect(throws: WireError.self) { try MessageCodec.decode(encoded + [0]) }
        }
    }

    @Test func aNegativeOrHugeDurationIsMalformedNotATrap() throws {
        for bad in [Duration.seconds(-1), .milliseconds(-1), .seconds(Int64.max), .seconds(MessageCodec.maxWireSeconds + 1)] {
            let encoded = try MessageCodec.encode(.voteResponse(term: Term(3), granted: true, sinceLeaderContact: bad))
            #expect(throws: WireError.self, "\(bad)") { try MessageCodec.decode(encoded) }
            do { _ = try MessageCodec.decode(encoded) } catch {
                #expect("\(error)".contains("sinceLeaderContact"), "\(error)")
            }
        }
        let fine = try MessageCodec.encode(.voteResponse(term: Term(3), granted: true, sinceLeaderContact: .seconds(MessageCodec.maxWireSeconds)))
        #expect(try MessageCodec.decode(fine) == .voteResponse(term: Term(3), granted: true, sinceLeaderContact: .seconds(MessageCodec.maxWireSeconds)))
    }

    @Test func unknownTagsAndCodesNameTheField() {
        #expect(throws: WireError.malformed(field: "message tag", reason: "unknown message type 200")) { try MessageCodec.decode([200]) }
        // A command message (tag 8) with request id 1 and an unknown command code.
        #expect(throws: WireError.malformed(field: "command", reason: "unknown admin command 77")) {
            try MessageCodec.decode([8, 0, 0, 0, 0, 0, 0, 0, 1, 77])
        }
        // A preVoteResponse with a boolean byte of 2.
        #expect(throws: WireError.malformed(field: "granted", reason: "boolean byte 2, expected 0 or 1")) {
            try MessageCodec.decode([2, 0, 0, 0, 0, 0, 0, 0, 1, 2])
        }
    }

    @Test func randomBytesNeverCrashTheDecoder() throws {
        var random = ElectionRandom(seed: 99)
        var decoded = 0
        for index in 0..<20000 {
            // Start with a valid tag half the time so decoding goes deeper.
            var bytes = random.bytes(Int.random(in: 0...120, using: &random))
            if index % 2 == 0, !bytes.isEmpty { bytes[0] = UInt8(1 + index % 9) }
            if let message = try? MessageCodec.decode(bytes) {
                decoded += 1
                #expect(try MessageCodec.decode(MessageCodec.encode(message)) == message)
            }
        }
        // Short fixed-size messages do occur in random bytes; most inputs are rejected.
        #expect(decoded < 20000 / 2)
    }

    @Test func aLargeClusterHeartbeatFitsInOneDatagram() throws {
        // 32 nodes with 12-character names, all members; some standby, bans and failures.
        let names = (1...32).map { String(format: "cluster-n%03d", $0) }
        let admin = AdminState(
            stamp: AdminStamp(term: Term(1 << 40), version: AdminVersion(1 << 40)),
            standby: Array(names.prefix(4)),
            constraints: names.prefix(4).map { AdminConstraint(kind: .ban, node: $0, expires: 1_900_000_000) },
            failures: names.prefix(4).map { FailureRecord(node: $0, count: 3, lastFailure: 1_800_000_000) },
            mayHold: Array(names.prefix(2))
        )
        let heartbeat = Message.heartbeat(term: Term(1 << 40), sequence: 1 << 40, admin: admin, committed: admin.stamp, holder: names[0], members: names)
        var sender = WireFixture.session(names[0], nodes: names)
        let datagram = try sender.seal(try MessageCodec.encode(heartbeat), to: names[1])
        #expect(datagram.count <= WireFormat.maxDatagramSize)
    }

    @Test("the member list: carried by a heartbeat once recorded; empty or repeated is malformed")
    func memberList() throws {
        var admin = AdminState(stamp: AdminStamp(term: Term(4), version: AdminVersion(9)))
        let plain = Message.heartbeat(term: Term(4), sequence: 1, admin: admin, committed: admin.stamp, holder: nil, members: ["dss1"])
        admin.voters = ["dss1", "dss2", "dss3", "dss4"]
        let recorded = Message.heartbeat(term: Term(4), sequence: 1, admin: admin, committed: admin.stamp, holder: nil, members: ["dss1"])
        let plainBytes = try MessageCodec.encode(plain)
        let recordedBytes = try MessageCodec.encode(recorded)
        #expect(try MessageCodec.decode(recordedBytes) == recorded)
        // Not recorded: byte for byte the heartbeat of earlier releases.
        #expect(Array(recordedBytes.prefix(plainBytes.count)) == plainBytes)
        for bad in [[String](), ["dss1", "dss1"]] {
            var w = ByteWriter(capacity: 16)
            w.writeArray(bad) { $0.write($1) }
            do {
                _ = try MessageCodec.decode(plainBytes + (try w.checked()))
                Issue.record("\(bad) accepted")
            } catch {
                #expect("\(error)".contains("voters"), "\(error)")
            }
        }
    }
}
