import Testing
@testable import ClusterCore

/// The checks before any cryptography: source address and port, names, and the budget of new
/// runs (key derivations) per peer per second. Each refusal names its reason.
@Suite struct DatagramAdmissionTests {
    static let addresses: [String: Set<String>] = ["dss1": ["198.18.10.11", "198.18.11.11"], "dss2": ["198.18.10.12"], "dss3": ["198.18.10.13"]]

    static func admission(burst: Int = 3, perSecond: Int = 2) -> DatagramAdmission {
        DatagramAdmission(
            localNode: "dss2", clusterTag: WireKeys(keyMaterial: WireFixture.key, clusterName: WireFixture.clusterName).clusterTag,
            port: 5405, peerAddresses: addresses, newIncarnationBurst: burst, newIncarnationsPerSecond: perSecond)
    }

    static func datagram(from sender: String = "dss1", incarnation: UInt64 = 5, to recipient: String = "dss2") throws -> [UInt8] {
        var session = WireFixture.session(sender, incarnation: incarnation)
        return try session.seal([1, 2, 3], to: recipient)
    }

    static func at(_ milliseconds: UInt64) -> Instant { Instant(nanoseconds: milliseconds * 1_000_000) }

    @Test func aPeerDatagramFromOneOfItsAddressesOnTheClusterPortIsAdmitted() throws {
        var admission = Self.admission()
        #expect(admission.admit(try Self.datagram(), sourceAddress: "198.18.10.11", sourcePort: 5405, now: Self.at(0)) == .admit)
        #expect(admission.admit(try Self.datagram(), sourceAddress: "198.18.11.11", sourcePort: 5405, now: Self.at(0)) == .admit, "its second link")
        #expect(admission.admitted == 2)
    }

    @Test func anotherSourceAddressOrPortIsRefusedNamingBoth() throws {
        var admission = Self.admission()
        let forged = try Self.datagram()
        for (address, port) in [("198.18.10.99", 5405), ("198.18.10.13", 5405), ("198.18.10.11", 40000)] {
            let verdict = admission.admit(forged, sourceAddress: address, sourcePort: port, now: Self.at(0))
            #expect(verdict == .reject(.sourceMismatch(sender: "dss1", source: "\(address):\(port)")))
        }
        #expect(admission.rejected[.sourceMismatch] == 3)
        #expect(admission.lastRejection[.sourceMismatch]?.source == "198.18.10.11:40000")
        #expect(WireError.sourceMismatch(sender: "dss1", source: "198.18.10.99:5405").description
            == "datagram claiming to be from 'dss1' came from 198.18.10.99:5405, not from one of its configured addresses on the cluster port")
    }

    @Test func namesAndHeaderAreCheckedBeforeTheSource() throws {
        var admission = Self.admission()
        #expect(admission.admit(Array(repeating: 0, count: 80), sourceAddress: "198.18.10.11", sourcePort: 5405, now: Self.at(0)) == .reject(.badMagic))
        #expect(admission.admit(try Self.datagram(to: "dss3"), sourceAddress: "198.18.10.11", sourcePort: 5405, now: Self.at(0)) == .reject(.misdirected(to: "dss3")))
        #expect(admission.admit(try Self.datagram(from: "dss2", to: "dss1"), sourceAddress: "198.18.10.12", sourcePort: 5405, now: Self.at(0)) == .reject(.reflected))
        var stranger = WireFixture.session("intruder", nodes: ["intruder", "dss2"])
        #expect(admission.admit(try stranger.seal([1], to: "dss2"), sourceAddress: "198.18.10.11", sourcePort: 5405, now: Self.at(0)) == .reject(.unknownSender("intruder")))
    }

    @Test func newRunsAreBudgetedPerPeerAndTheKnownRunIsNot() throws {
        var admission = Self.admission(burst: 3, perSecond: 2)
        var verdicts: [DatagramAdmission.Verdict] = []
        for incarnation in UInt64(100)..<106 {
            verdicts.append(admission.admit(try Self.datagram(incarnation: incarnation), sourceAddress: "198.18.10.11", sourcePort: 5405, now: Self.at(10)))
        }
        #expect(verdicts.prefix(3).allSatisfy { $0 == .admit }, "the burst")
        #expect(verdicts.suffix(3).allSatisfy { $0 == .reject(.rateLimited(sender: "dss1", perSecond: 2)) })
        // Another peer has its own budget.
        #expect(admission.admit(try Self.datagram(from: "dss3", incarnation: 9), sourceAddress: "198.18.10.13", sourcePort: 5405, now: Self.at(10)) == .admit)
        // The run the session accepted needs no key: never budgeted.
        admission.heard("dss1", incarnation: Incarnation(5))
        for _ in 0..<50 {
            #expect(admission.admit(try Self.datagram(incarnation: 5), sourceAddress: "198.18.10.11", sourcePort: 5405, now: Self.at(10)) == .admit)
        }
        // Half a second later: one more new run (2 a second).
        #expect(admission.admit(try Self.datagram(incarnation: 200), sourceAddress: "198.18.10.11", sourcePort: 5405, now: Self.at(510)) == .admit)
        #expect(admission.admit(try Self.datagram(incarnation: 201), sourceAddress: "198.18.10.11", sourcePort: 5405, now: Self.at(520)) != .admit)
        #expect(admission.rejected[.rateLimited] == 4)
    }

    @Test func anOlderRunDoesNotReplaceTheKnownOne() {
        var admission = Self.admission()
        admission.heard("dss1", incarnation: Incarnation(7))
        admission.heard("dss1", incarnation: Incarnation(6))
        #expect(admission.knownIncarnation(of: "dss1") == Incarnation(7))
    }
}
