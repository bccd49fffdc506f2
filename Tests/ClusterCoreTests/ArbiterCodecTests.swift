import Testing
@testable import ClusterCore

enum ArbiterFixture {
    static let clusterName = "dss_cluster"
    static let key: [UInt8] = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    static let layout = ArbiterLayout(nodes: ["dss1", "dss2", "dss3"])

    static func codec(key: [UInt8] = key, cluster: String = clusterName, layout: ArbiterLayout = layout) -> ArbiterCodec {
        ArbiterCodec(key: ArbiterKey(keyMaterial: key, clusterName: cluster), layout: layout)
    }

    static let heartbeat = ArbiterHeartbeat(
        node: "dss2", incarnation: Incarnation(0x0123_4567_89AB_CDEF), term: Term(42),
        leader: true, holding: false, counter: 1_000_001, wallClock: 1_800_000_000_123
    )
    static let poison = ArbiterPoison(target: "dss1", targetIncarnation: Incarnation(77), from: "dss2", wallClock: 1_800_000_000_456)
}

/// The arbiter blocks: round trips, and every way a block can be wrong is refused with its reason.
@Suite struct ArbiterCodecTests {
    let codec = ArbiterFixture.codec()

    @Test func heartbeatRoundTripsInOneBlock() throws {
        let block = try codec.encode(ArbiterFixture.heartbeat)
        #expect(block.count == ArbiterLayout.blockSize)
        #expect(codec.decodeHeartbeat(block, of: "dss2") == .valid(ArbiterFixture.heartbeat))

        let extreme = ArbiterHeartbeat(node: "dss1", incarnation: Incarnation(.max), term: Term(.max), leader: false, holding: true, counter: .max, wallClock: 0)
        #expect(codec.decodeHeartbeat(try codec.encode(extreme), of: "dss1") == .valid(extreme))
    }

    @Test func poisonRoundTripsInOneBlock() throws {
        let block = try codec.encode(ArbiterFixture.poison)
        #expect(block.count == ArbiterLayout.blockSize)
        #expect(codec.decodePoison(block, for: "dss1") == .valid(ArbiterFixture.poison))
    }

    /// Pins the format: kind, version, block index (dss2 = slot 1: heartbeat block 3), body
    /// length, big-endian fields, then the HMAC and zeros. A change here breaks mixed releases.
    @Test func heartbeatBytesArePinned() throws {
        let block = try codec.encode(ArbiterFixture.heartbeat)
        let expectedPrefix: [UInt8] = [
            2, 1, 0, 0, 0, 3, 0, 39,                        // kind, version, block 3, body 39 bytes
            4, 0x64, 0x73, 0x73, 0x32,                      // "dss2"
            0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, // incarnation
            0, 0, 0, 0, 0, 0, 0, 42,                        // term
            1, 0,                                           // leader, holding
            0, 0, 0, 0, 0, 0x0F, 0x42, 0x41,                // counter 1000001
            0, 0, 0x01, 0xA3, 0x18, 0x5C, 0x50, 0x7B,       // wall clock 1800000000123
        ]
        #expect(Array(block.prefix(47)) == expectedPrefix)
        // HMAC-SHA256 under HKDF-SHA256(key, salt "haclusterd/arbiter/v1", info "cluster=dss_cluster"),
        // computed independently with Python's hmac and hashlib (RFC 5869 HKDF by hand).
        #expect(hex(block[47..<79]) == "ecbd0ef52981ff1f34a7f17d65c7a7ca04a0fd13e44066646ac51fe3d4c35377")
        #expect(block[79...].allSatisfy { $0 == 0 })
    }

    @Test func allZerosIsEmpty() {
        let zeros = [UInt8](repeating: 0, count: ArbiterLayout.blockSize)
        #expect(codec.decodeHeartbeat(zeros, of: "dss1") == .empty)
        #expect(codec.decodePoison(zeros, for: "dss3") == .empty)
    }

    @Test func zeroCheckSeesEveryByte() {
        for length in 0..<20 {
            let zeros = [UInt8](repeating: 0, count: length + 3)
            #expect(ArbiterCodec.isZero(zeros[3...]))
            for position in 3..<(length + 3) {
                var bytes = zeros
                bytes[position] = 0x80
                #expect(!ArbiterCodec.isZero(bytes[3...]), "length \(length), byte \(position)")
            }
        }
    }

    /// The MAC check is what this test guards: a changed term must not be believed.
    @Test func aTamperedByteIsRefused() throws {
        var block = try codec.encode(ArbiterFixture.heartbeat)
        block[28] ^= 0x01  // the low byte of the term: 42 becomes 43
        #expect(codec.decodeHeartbeat(block, of: "dss2") == .invalid(.authenticationFailed))
    }

    @Test func everySingleBitFlipIsRefused() throws {
        let original = try codec.encode(ArbiterFixture.poison)
        for position in 0..<(ArbiterCodec.recordPrefixSize + 26 + ArbiterKey.tagSize + 8) {
            for bit in 0..<8 {
                var block = original
                block[position] ^= UInt8(1 << bit)
                let decoded = codec.decodePoison(block, for: "dss1")
                #expect(decoded.value == nil, "flip of bit \(bit) at byte \(position) accepted: \(decoded)")
            }
        }
    }

    @Test func anotherKeyOrClusterNameIsRefused() throws {
        let block = try codec.encode(ArbiterFixture.heartbeat)
        var otherKey = ArbiterFixture.key
        otherKey[0] ^= 0xFF
        #expect(ArbiterFixture.codec(key: otherKey).decodeHeartbeat(block, of: "dss2") == .invalid(.authenticationFailed))
        #expect(ArbiterFixture.codec(cluster: "other_cluster").decodeHeartbeat(block, of: "dss2") == .invalid(.authenticationFailed))
        #expect(ArbiterRecordError.authenticationFailed.description.contains("not written by a holder of the cluster key"))
    }

    @Test func aBlockCopiedIntoAnotherSlotIsRefused() throws {
        let heartbeat = try codec.encode(ArbiterFixture.heartbeat)  // dss2's heartbeat, block 3
        #expect(codec.decodeHeartbeat(heartbeat, of: "dss3") == .invalid(.wrongSlot(writtenFor: 3, foundIn: 5)))
        #expect(codec.decodePoison(heartbeat, for: "dss2") == .invalid(.wrongSlot(writtenFor: 3, foundIn: 4)))
        let poison = try codec.encode(ArbiterFixture.poison)  // dss1's mailbox, block 2
        #expect(codec.decodePoison(poison, for: "dss3") == .invalid(.wrongSlot(writtenFor: 2, foundIn: 6)))
        #expect(ArbiterRecordError.wrongSlot(writtenFor: 2, foundIn: 6).description.contains("copied from another slot"))
    }

    @Test func aRecordOfTheOtherKindOrNamingAnotherNodeIsRefused() throws {
        // Written for the right block, but a pill where the heartbeat belongs.
        let pill = try codec.encode(ArbiterFixture.poison, blockIndex: 1)
        #expect(codec.decodeHeartbeat(pill, of: "dss1") == .invalid(.wrongKind(expected: .heartbeat, found: .poison)))
        // dss2's heartbeat written into dss1's heartbeat block (a node with another [[node]] list).
        let misplaced = try codec.encode(ArbiterFixture.heartbeat, blockIndex: 1)
        #expect(codec.decodeHeartbeat(misplaced, of: "dss1") == .invalid(.nameMismatch(slotOwner: "dss1", found: "dss2")))
        #expect(throws: ArbiterRecordError.unknownNode("dss9")) {
            var stranger = ArbiterFixture.heartbeat
            stranger.node = "dss9"
            _ = try codec.encode(stranger)
        }
        #expect(codec.decodeHeartbeat([UInt8](repeating: 0, count: 4096), of: "dss9") == .invalid(.unknownNode("dss9")))
    }

    @Test func unknownKindsAndVersionsAreRefused() throws {
        var block = try codec.encode(ArbiterFixture.heartbeat)
        block[0] = 9
        #expect(codec.decodeHeartbeat(block, of: "dss2") == .invalid(.unknownKind(9)))
        block = try codec.encode(ArbiterFixture.heartbeat)
        block[1] = 2
        #expect(codec.decodeHeartbeat(block, of: "dss2") == .invalid(.unsupportedVersion(kind: .heartbeat, version: 2)))
        block = try codec.encode(ArbiterFixture.heartbeat)
        block[4000] = 1
        #expect(codec.decodeHeartbeat(block, of: "dss2") == .invalid(.malformed("bytes after the HMAC are not zero")))
    }

    @Test func everyTruncationIsRefused() throws {
        let block = try codec.encode(ArbiterFixture.heartbeat)
        for length in 0..<block.count {
            #expect(codec.decodeHeartbeat(Array(block.prefix(length)), of: "dss2") == .invalid(.truncated(length: length)))
        }
        #expect(codec.decodeHeartbeat(block + [0], of: "dss2").error != nil)
    }

    /// Random blocks, random short inputs and randomly damaged valid blocks: never a crash,
    /// never a valid record (seeded, so a failure replays).
    @Test func randomBytesNeverCrashNorPass() throws {
        var random = ElectionRandom(seed: 0xA4B1_7E2)
        let valid = try codec.encode(ArbiterFixture.heartbeat)
        for round in 0..<3000 {
            let input: [UInt8]
            switch round % 4 {
            case 0:  // a whole block of noise
                input = random.bytes(ArbiterLayout.blockSize)
            case 1:  // noise of any length
                input = random.bytes(Int.random(in: 0...(ArbiterLayout.blockSize + 16), using: &random))
            case 2:  // a plausible frame (right kind and version) with a noise body
                input = [2, 1] + random.bytes(ArbiterLayout.blockSize - 2)
            default:  // a valid block with 1-8 bytes among the first 100 changed
                var damaged = valid
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    damaged[Int.random(in: 0..<100, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                }
                input = damaged
            }
            #expect(codec.decodeHeartbeat(input, of: "dss2").value == nil, "round \(round) accepted")
            #expect(codec.decodePoison(input, for: "dss2").value == nil, "round \(round) accepted")
            #expect(throws: ArbiterHeaderError.self) { try codec.checkHeader(input) }
        }
    }

    @Test func snapshotDecodesEverySlot() throws {
        var slots = [UInt8](repeating: 0, count: ArbiterFixture.layout.slotsRange.count)
        func put(_ block: [UInt8], at offset: Int) {
            let start = offset - ArbiterLayout.blockSize
            slots.replaceSubrange(start..<(start + block.count), with: block)
        }
        let dss2 = ArbiterFixture.layout.slot(of: "dss2")!
        let dss1 = ArbiterFixture.layout.slot(of: "dss1")!
        put(try codec.encode(ArbiterFixture.heartbeat), at: dss2.heartbeatOffset)
        put(try codec.encode(ArbiterFixture.poison), at: dss1.mailboxOffset)
        put([UInt8](repeating: 0xEE, count: 4096), at: ArbiterFixture.layout.slot(of: "dss3")!.heartbeatOffset)
        let snapshot = codec.decodeSlots(slots)
        #expect(snapshot.heartbeats["dss2"] == .valid(ArbiterFixture.heartbeat))
        #expect(snapshot.heartbeats["dss1"] == .empty)
        #expect(snapshot.heartbeats["dss3"] == .invalid(.unknownKind(0xEE)))
        #expect(snapshot.mailboxes["dss1"] == .valid(ArbiterFixture.poison))
        #expect(snapshot.mailboxes["dss2"] == .empty && snapshot.mailboxes["dss3"] == .empty)
        #expect(codec.decodeSlots(Array(slots.prefix(4096 * 3))).mailboxes["dss3"] == .invalid(.truncated(length: 0)))
    }

    private func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
