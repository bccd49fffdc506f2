import ClusterCore
import Foundation
import FuzzSupport

/// libFuzzer target for the datagram path (what a node does with every UDP datagram it reads).
///
/// An input that starts with the magic "HACL" is a datagram: a fresh session of dss2 at
/// incarnation 1 (the fixture cluster of the wire tests: same key, cluster name and nodes)
/// opens it and decodes the payload by kind, as the runtime does. An authentic datagram
/// opened a second time must be refused as a duplicate, whether it was used the first time
/// or refused as addressed to another run of dss2 (`otherRun`, wire version 2).
///
/// Any other input is a payload: its first byte chooses the kind (election message, node
/// info, relay) and the rest is the plaintext. It is decoded directly, then sealed by dss1
/// (which has heard dss2's run, so the datagram is bound to it) and opened by dss2; both must
/// agree, and a payload that decodes must decode to the same value again after encoding
/// (decode . encode . decode == decode).
///
/// Each datagram also goes through `DatagramAdmission` (the checks before any cryptography, as
/// sent from its claimed sender's address on the cluster port): what it refuses, the session
/// must refuse for the same error; what the session opens (or refuses only after decrypting), it
/// must admit.
///
/// Errors are expected; a trap, a sanitizer report or a broken property is a finding. With
/// FUZZ_VERBOSE set, what became of each datagram is printed (to check that the seeds open).
enum FuzzWire {
    static let verbose = ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] != nil
    static let clusterName = "dss_cluster"
    /// `WireFixture.key` of the unit tests, so that the golden datagrams authenticate.
    static let keys = WireKeys(
        keyMaterial: (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }, clusterName: clusterName)
    static let nodes = ["dss1", "dss2", "dss3"]

    enum Payload: Equatable {
        case election(Message)
        case nodeInfo(NodeInfo)
        case relay(RelayMessage)
    }

    static func decode(_ kind: WireFormat.PayloadKind, _ bytes: [UInt8]) throws(WireError) -> Payload {
        switch kind {
        case .electionMessage: .election(try MessageCodec.decode(bytes))
        case .nodeInfo: .nodeInfo(try NodeInfo.decode(bytes))
        case .relay: .relay(try RelayMessage.decode(bytes))
        }
    }

    static func encode(_ payload: Payload) throws(WireError) -> [UInt8] {
        switch payload {
        case let .election(message): try MessageCodec.encode(message)
        case let .nodeInfo(info): try info.encode()
        case let .relay(relay): try relay.encode()
        }
    }

    /// dss2's incarnation: the run the sealed seeds and payloads are bound to.
    static let receiverIncarnation: UInt64 = 1

    static func receiver() -> WireSession {
        WireSession(keys: keys, localNode: "dss2", incarnation: Incarnation(receiverIncarnation), peers: nodes)
    }

    /// dss1 at incarnation 5, having heard dss2's run: what it seals for dss2 is bound to that run
    /// (recipient incarnation 1). It learnt the run as a node does, from dss2's first datagram.
    static let introducedSender: WireSession = {
        var sender = newSender()
        var hello = receiver()
        guard let first = try? hello.seal(try NodeInfo(software: "", config: ConfigDigest(sections: [:])).encode(), kind: .nodeInfo, to: "dss1") else {
            finding.fail("dss2 cannot seal its first datagram")
        }
        do {
            _ = try sender.open(first)
            finding.fail("dss2's first datagram was used, not refused as for another run")
        } catch WireError.otherRun {
        } catch {
            finding.fail("dss2's first datagram was refused as \(error)")
        }
        guard sender.newestIncarnation(of: "dss2") == Incarnation(receiverIncarnation) else {
            finding.fail("dss1 did not learn dss2's run from its first datagram")
        }
        return sender
    }()

    /// dss1 at incarnation 5, just started: what it seals for dss2 is bound to no run yet (0).
    static func newSender() -> WireSession {
        WireSession(keys: keys, localNode: "dss1", incarnation: Incarnation(5), peers: nodes)
    }

    static func run(_ input: [UInt8]) {
        if input.starts(with: WireFormat.magic) {
            openDatagram(input)
        } else if let first = input.first {
            payload(kind: WireFormat.PayloadKind(rawValue: first % 3 + 1)!, Array(input.dropFirst()))
        }
    }

    static let port = 5405
    static let peerAddresses: [String: Set<String>] = ["dss1": ["198.18.10.11"], "dss3": ["198.18.10.13"]]

    /// `DatagramAdmission`'s verdict on `datagram` from its claimed sender's address and the
    /// cluster port (an address of no peer when it names none), by a fresh admission of dss2.
    static func admission(_ datagram: [UInt8]) -> DatagramAdmission.Verdict {
        var admission = DatagramAdmission(localNode: "dss2", clusterTag: keys.clusterTag, port: port, peerAddresses: peerAddresses)
        let sender = (try? DatagramHeader.parse(datagram, expectedClusterTag: keys.clusterTag))?.header.sender
        let address = sender.flatMap { peerAddresses[$0]?.first } ?? "198.18.10.99"
        return admission.admit(datagram, sourceAddress: address, sourcePort: port, now: Instant(nanoseconds: 1_000_000_000))
    }

    /// Refusals `DatagramAdmission` makes itself (header and names): an admitted datagram is
    /// never refused by the session for one of these.
    static let beforeCryptography: Set<WireError.Reason> = [
        .tooShort, .oversized, .badMagic, .unsupportedVersion, .wrongCluster, .unknownSender, .reflected, .misdirected,
    ]

    static func openDatagram(_ datagram: [UInt8]) {
        let verdict = admission(datagram)
        var session = receiver()
        let opened: WireSession.Opened<Payload>
        do {
            opened = try session.open(datagram, decode: decode)
        } catch .otherRun(_, _, let recipientIncarnation) {
            finding.check(verdict == .admit, "an authentic datagram from its sender's address was refused before decryption: \(verdict)")
            // Authentic but for another run: never used, yet its sequence number is spent.
            if verbose { print("other run: addressed to incarnation \(recipientIncarnation)") }
            finding.check(recipientIncarnation != Incarnation(receiverIncarnation), "a datagram for this run was refused as for another run")
            finding.check(session.counters.accepted == 0, "a datagram for another run was counted as accepted")
            refusedAsDuplicate(
                { () throws(WireError) in _ = try session.open(datagram, decode: decode) },
                accepted: "a datagram for another run was accepted when repeated",
                refused: { "a repeated datagram for another run was refused as \($0), not as a duplicate" })
            return
        } catch {
            if verbose { print("refused: \(error)") }
            switch verdict {
            case let .reject(refusal):
                finding.check(refusal == error, "refused before decryption as \(refusal), by the session as \(error)")
            case .admit:
                finding.check(!beforeCryptography.contains(error.reason), "admitted before decryption, refused by the session as \(error)")
            }
            return
        }
        finding.check(verdict == .admit, "an authentic datagram from its sender's address was refused before decryption: \(verdict)")
        if verbose { print("opened: \(opened.payload)") }
        finding.check(session.counters.accepted == 1, "an opened datagram was not counted")
        roundTrip(opened.payload)
        refusedAsDuplicate(
            { () throws(WireError) in _ = try session.open(datagram, decode: decode) },
            accepted: "the same datagram was accepted twice (sequence \(opened.sequence))",
            refused: { "a repeated datagram was refused as \($0), not as a duplicate" })
    }

    /// A datagram opened (or spent) once must be refused as a duplicate when it comes again:
    /// `accepted` if it opens, `refused` of the error if it is refused for another reason.
    static func refusedAsDuplicate(_ open: () throws(WireError) -> Void, accepted: String, refused: (WireError) -> String) {
        do {
            try open()
            finding.fail(accepted)
        } catch .duplicate {
        } catch {
            finding.fail(refused(error))
        }
    }

    static func payload(kind: WireFormat.PayloadKind, _ plaintext: [UInt8]) {
        let direct: Payload?
        do {
            direct = try decode(kind, plaintext)
        } catch {
            direct = nil
        }
        if let direct { roundTrip(direct) }

        var sealer = introducedSender
        guard let datagram = try? sealer.seal(plaintext, kind: kind, to: "dss2") else { return }
        var session = receiver()
        do {
            let opened = try session.open(datagram, decode: decode)
            finding.check(opened.sender == "dss1" && opened.sequence == 1, "opened with the wrong sender or sequence")
            finding.check(opened.payload == direct, "the payload decodes differently after sealing and opening")
        } catch {
            guard case .malformed = error, direct == nil else {
                finding.fail("sealed payload refused as \(error) (direct decoding: \(String(describing: direct)))")
            }
        }
    }

    /// A decoded payload encodes, and that encoding decodes to the same value.
    static func roundTrip(_ payload: Payload) {
        let kind: WireFormat.PayloadKind = switch payload {
        case .election: .electionMessage
        case .nodeInfo: .nodeInfo
        case .relay: .relay
        }
        do {
            let again = try decode(kind, try encode(payload))
            finding.check(again == payload, "decode(encode(\(payload))) gave \(again)")
        } catch {
            finding.fail("a decoded payload does not re-encode and decode: \(error) for \(payload)")
        }
    }

    static let finding = FuzzFinding(target: "fuzz-wire")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzWire.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzWireInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let directory = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] {
        WireSeeds.write(to: directory)
        exit(0)
    }
    return 0
}
