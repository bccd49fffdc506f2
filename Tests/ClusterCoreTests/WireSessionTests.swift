import Testing
@testable import ClusterCore

/// Every kind of malformed, forged or replayed datagram is rejected, with the
/// right reason, and counted; the receiver keeps working afterwards.
@Suite struct WireSessionTests {
    private func expectRejected(_ datagram: [UInt8], by receiver: inout WireSession, reason: WireError.Reason, sourceLocation: SourceLocation = #_sourceLocation) {
        let before = receiver.counters[reason]
        do {
            _ = try receiver.open(datagram)
            Issue.record("datagram was accepted, expected \(reason)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.reason == reason, "rejected as \(error), expected \(reason)", sourceLocation: sourceLocation)
        }
        #expect(receiver.counters[reason] == before + 1, "rejection not counted under \(reason)", sourceLocation: sourceLocation)
    }

    @Test func roundTripCarriesPayloadSenderAndSequence() throws {
        var a = WireFixture.session("dss1", incarnation: 7)
        var b = WireFixture.session("dss2")
        let payload: [UInt8] = Array("hello".utf8)
        let datagram = try a.seal(payload, to: "dss2")
        #expect(datagram.count == WireFormat.fixedPrefixSize + 5 + 5 + 24 + payload.count + WireFormat.tagSize)
        let opened = try b.open(datagram)
        #expect(opened.payload == payload)
        #expect(opened.sender == "dss1")
        #expect(opened.incarnation == Incarnation(7))
        #expect(opened.sequence == 1)
        #expect(b.counters.accepted == 1)
        #expect(a.counters.sealed == 1)
        #expect(b.newestIncarnation(of: "dss1") == Incarnation(7))
    }

    @Test func payloadIsEncrypted() throws {
        var a = WireFixture.session("dss1")
        let secret = Array("a very recognisable secret payload".utf8)
        let datagram = try a.seal(secret, to: "dss2")
        let window = datagram.count - secret.count
        for start in 0...window {
            #expect(Array(datagram[start..<(start + secret.count)]) != secret)
        }
    }

    @Test func truncationAtEveryLengthIsRejectedAndCounted() throws {
        var a = WireFixture.session("dss1")
        var b = WireFixture.session("dss2")
        let datagram = try a.seal(Array(repeating: 0x5A, count: 40), to: "dss2")
        for length in 0..<datagram.count {
            do {
                _ = try b.open(Array(datagram.prefix(length)))
                Issue.record("truncated datagram of \(length) bytes accepted")
            } catch {
                // Short inputs are too short; longer ones have a shortened ciphertext and fail the tag.
                #expect([.tooShort, .authenticationFailed].contains(error.reason), "length \(length): \(error)")
            }
        }
        #expect(b.counters.totalRejected == UInt64(datagram.count))
        #expect(b.counters[.tooShort] > 0 && b.counters[.authenticationFailed] > 0)
        #expect(try b.open(datagram).sequence == 1, "the receiver still accepts the intact datagram")
    }

    @Test func everySingleBitFlipIsRejectedAndCounted() throws {
        var a = WireFixture.session("dss1")
        var b = WireFixture.session("dss2")
        let datagram = try a.seal(Array("payload under test".utf8), to: "dss2")
        var reasons: Set<WireError.Reason> = []
        for bit in 0..<(datagram.count * 8) {
            var forged = datagram
            forged[bit / 8] ^= 1 << UInt8(bit % 8)
            do {
                _ = try b.open(forged)
                Issue.record("datagram with bit \(bit) flipped was accepted")
            } catch {
                reasons.insert(error.reason)
            }
        }
        #expect(b.counters.totalRejected == UInt64(datagram.count * 8))
        #expect(b.counters.accepted == 0)
        // Header flips are caught by cheap checks where they can be, the rest by the tag.
        #expect(reasons.isSuperset(of: [.badMagic, .unsupportedVersion, .wrongCluster, .authenticationFailed]))
        #expect(try b.open(datagram).sender == "dss1")
    }

    @Test func wrongKeyFailsAuthentication() throws {
        var a = WireFixture.session("dss1", key: Array(repeating: 1, count: 32))
        var b = WireFixture.session("dss2")
        expectRejected(try a.seal([1, 2, 3], to: "dss2"), by: &b, reason: .authenticationFailed)
    }

    @Test func wrongClusterNameIsReportedAsSuch() throws {
        var other = WireFixture.session("dss1", cluster: "other_cluster")
        var b = WireFixture.session("dss2")
        expectRejected(try other.seal([1, 2, 3], to: "dss2"), by: &b, reason: .wrongCluster)
    }

    @Test func clusterNameIsBoundIntoTheKeyNotOnlyTheTag() throws {
        // Same key file, another cluster name, and a forged tag of ours: the key still differs.
        var other = WireFixture.session("dss1", cluster: "other_cluster")
        var b = WireFixture.session("dss2")
        var datagram = try other.seal([1, 2, 3], to: "dss2")
        let ourTag = WireKeys(keyMaterial: WireFixture.key, clusterName: WireFixture.clusterName).clusterTag
        datagram.replaceSubrange(6..<10, with: ourTag)
        expectRejected(datagram, by: &b, reason: .authenticationFailed)
    }

    @Test func replayOfAnOldDatagramAndDuplicatesAreRejected() throws {
        var a = WireFixture.session("dss1")
        var b = WireFixture.session("dss2")
        var sent: [[UInt8]] = []
        for index in 0..<100 {
            sent.append(try a.seal([UInt8(index)], to: "dss2"))
        }
        for datagram in sent {
            _ = try b.open(datagram)
        }
        expectRejected(sent[0], by: &b, reason: .replayed)   // far below the window
        expectRejected(sent[99], by: &b, reason: .duplicate) // the newest, again
        expectRejected(sent[60], by: &b, reason: .duplicate) // inside the window
        #expect(b.counters.accepted == 100)
    }

    @Test func reorderingInsideTheWindowIsAccepted() throws {
        var a = WireFixture.session("dss1")
        var b = WireFixture.session("dss2")
        let sent = try (0..<10).map { _ in try a.seal([], to: "dss2") }
        for index in [9, 3, 0, 8, 1, 2, 7, 4, 6, 5] {
            #expect(try b.open(sent[index]).sequence == UInt64(index + 1))
        }
        for datagram in sent {
            expectRejected(datagram, by: &b, reason: .duplicate)
        }
    }

    @Test func oldIncarnationIsRejectedAndNewIncarnationResetsTheWindow() throws {
        var firstRun = WireFixture.session("dss1", incarnation: 100)
        var b = WireFixture.session("dss2")
        var oldDatagrams: [[UInt8]] = []
        for _ in 0..<5 {
            oldDatagrams.append(try firstRun.seal([1], to: "dss2"))
        }
        let delayed = oldDatagrams.removeLast()
        for datagram in oldDatagrams {
            _ = try b.open(datagram)
        }
        // The node restarts: a new incarnation, sequence numbers from 1 again.
        var secondRun = WireFixture.session("dss1", incarnation: 101)
        #expect(try b.open(try secondRun.seal([2], to: "dss2")).sequence == 1)
        #expect(b.newestIncarnation(of: "dss1") == Incarnation(101))
        // A datagram of the first run, fresh in its own window, arrives late: stale.
        expectRejected(delayed, by: &b, reason: .staleIncarnation)
        expectRejected(oldDatagrams[0], by: &b, reason: .staleIncarnation)
    }

    @Test func forgedHigherIncarnationDoesNotResetTheWindow() throws {
        var a = WireFixture.session("dss1", incarnation: 5)
        var b = WireFixture.session("dss2")
        let datagram = try a.seal([9], to: "dss2")
        _ = try b.open(datagram)
        var forged = datagram
        // Incarnation is the 8 bytes after the two names.
        let incarnationOffset = WireFormat.fixedPrefixSize + 5 + 5
        forged[incarnationOffset + 7] = 6
        expectRejected(forged, by: &b, reason: .authenticationFailed)
        #expect(b.newestIncarnation(of: "dss1") == Incarnation(5))
        expectRejected(datagram, by: &b, reason: .duplicate)
    }

    @Test func unknownSenderIsRejected() throws {
        var stranger = WireFixture.session("intruder", nodes: ["intruder", "dss2"])
        var b = WireFixture.session("dss2")
        expectRejected(try stranger.seal([1], to: "dss2"), by: &b, reason: .unknownSender)
    }

    @Test func reflectedAndMisdirectedDatagramsAreRejected() throws {
        var a = WireFixture.session("dss1")
        var aReceiving = WireFixture.session("dss1")
        var c = WireFixture.session("dss3")
        let toB = try a.seal([1], to: "dss2")
        expectRejected(toB, by: &aReceiving, reason: .reflected)
        expectRejected(toB, by: &c, reason: .misdirected)
    }

    @Test func wrongVersionAndBadMagicAreRejectedBeforeDecryption() throws {
        var a = WireFixture.session("dss1")
        var b = WireFixture.session("dss2")
        var datagram = try a.seal([1], to: "dss2")
        datagram[4] = WireFormat.version + 1
        expectRejected(datagram, by: &b, reason: .unsupportedVersion)
        datagram[4] = 1
        expectRejected(datagram, by: &b, reason: .unsupportedVersion)
        datagram[4] = WireFormat.version
        datagram[0] = UInt8(ascii: "X")
        expectRejected(datagram, by: &b, reason: .badMagic)
    }

    @Test func oversizedInputIsRejectedAndOversizedPayloadIsNotSealed() throws {
        var a = WireFixture.session("dss1")
        var b = WireFixture.session("dss2")
        var datagram = try a.seal([1], to: "dss2")
        datagram += Array(repeating: 0, count: WireFormat.maxDatagramSize + 1 - datagram.count)
        expectRejected(datagram, by: &b, reason: .oversized)
        #expect(throws: WireError.self) { try a.seal(Array(repeating: 0, count: WireFormat.maxDatagramSize), to: "dss2") }
        let largestPayload = WireFormat.maxDatagramSize - (WireFormat.fixedPrefixSize + 5 + 5 + 24 + WireFormat.tagSize)
        let largest = try a.seal(Array(repeating: 7, count: largestPayload), to: "dss2")
        #expect(largest.count == WireFormat.maxDatagramSize)
        #expect(try b.open(largest).payload.count == largestPayload)
    }

    @Test func decoderFailureAfterAuthenticationIsCountedAsMalformed() throws {
        var a = WireFixture.session("dss1")
        var b = WireFixture.session("dss2")
        let datagram = try a.seal([0xFF], to: "dss2")
        do {
            _ = try b.open(datagram) { (_, _) throws(WireError) -> Int in throw .malformed(field: "test", reason: "rejected by test decoder") }
            Issue.record("accepted")
        } catch {
            #expect(error.reason == .malformed)
        }
        #expect(b.counters[.malformed] == 1)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomGarbageAndMutationsNeverCrashAndAreAllCounted(seed: UInt64) throws {
        var random = ElectionRandom(seed: seed)
        var a = WireFixture.session("dss1")
        var b = WireFixture.session("dss2")
        let valid = try a.seal(Array("a valid datagram to mutate".utf8), to: "dss2")
        let inputs = 4000
        for index in 0..<inputs {
            let input: [UInt8]
            switch index % 4 {
            case 0:
                input = random.bytes(Int.random(in: 0...1500, using: &random))
            case 1:
                // Garbage behind a valid prefix, to get past the cheap checks.
                input = Array(valid.prefix(Int.random(in: 0...valid.count, using: &random)))
                    + random.bytes(Int.random(in: 0...200, using: &random))
            case 2:
                var mutated = valid
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                input = mutated == valid ? [] : mutated
            default:
                // Garbage with a valid-looking header prefix of random length fields.
                input = Array(valid.prefix(10)) + random.bytes(Int.random(in: 0...300, using: &random))
            }
            #expect(throws: WireError.self) { _ = try b.open(input) }
        }
        #expect(b.counters.totalRejected == UInt64(inputs))
        #expect(b.counters.accepted == 0)
        #expect(try b.open(valid).sender == "dss1")
    }

    // MARK: - Datagrams are bound to the recipient's run

    @Test func aRestartedReceiverUsesNothingCapturedFromItsEarlierRun() throws {
        var a = WireFixture.session("dss1", incarnation: 5)
        var b = WireFixture.session("dss2", incarnation: 1)
        // Captured while dss2's first run was up: a command and two heartbeats it accepted.
        let captured = try (0..<3).map { _ in try a.seal(Array("disable".utf8), to: "dss2") }
        for datagram in captured { _ = try b.open(datagram) }
        // dss1's earlier run, captured long ago.
        var aBefore = WireFixture.session("dss1", incarnation: 4)
        let older = try aBefore.seal(Array("ban dss2".utf8), to: "dss2")

        // dss2 restarts: a new run that has heard nobody, empty replay windows.
        var restarted = WireFixture.session("dss2", incarnation: 2, knowing: [:])
        expectRejected(older, by: &restarted, reason: .otherRun)
        for datagram in captured {
            do {
                _ = try restarted.open(datagram)
                Issue.record("a datagram of the earlier run was used after the restart")
            } catch {
                #expect([.otherRun, .duplicate].contains(error.reason), "\(error)")
            }
        }
        #expect(restarted.counters.accepted == 0)
        #expect(restarted.counters[.otherRun] >= 2)
        #expect(restarted.newestIncarnation(of: "dss1") == Incarnation(5), "the newest run of the sender is learnt, an older one does not win")

        // The two runs introduce themselves: the restarted node's datagram is bound to dss1's
        // run, dss1 learns the new run from it, and from then on datagrams go through.
        let hello = try restarted.seal([], kind: .nodeInfo, to: "dss1")
        #expect(try a.open(hello).incarnation == Incarnation(2))
        let fresh = try a.seal(Array("status".utf8), to: "dss2")
        #expect(try restarted.open(fresh).payload == Array("status".utf8))
        for datagram in captured + [older] {
            #expect(throws: WireError.self) { try restarted.open(datagram) }
        }
    }

    @Test func twoFreshRunsIntroduceThemselvesInOneRoundTrip() throws {
        var a = WireFixture.session("dss1", incarnation: 7, knowing: [:])
        var b = WireFixture.session("dss2", incarnation: 9, knowing: [:])
        let first = try a.seal([1], to: "dss2")
        expectRejected(first, by: &b, reason: .otherRun)
        #expect(b.newestIncarnation(of: "dss1") == Incarnation(7))
        #expect(try a.open(try b.seal([2], to: "dss1")).payload == [2])
        #expect(try b.open(try a.seal([3], to: "dss2")).payload == [3])
        #expect(a.counters.accepted == 1 && b.counters.accepted == 1)
    }

    @Test func aDatagramForALaterRunIsNotUsedEither() throws {
        var a = WireFixture.session("dss1", incarnation: 5, knowing: ["dss2": 8])
        var b = WireFixture.session("dss2", incarnation: 7)
        let error = #expect(throws: WireError.self) { try b.open(try a.seal([1], to: "dss2")) }
        #expect(error == .otherRun(sender: "dss1", incarnation: Incarnation(5), recipientIncarnation: Incarnation(8)))
        #expect(error?.description.contains("incarnation 8") == true)
    }
}
