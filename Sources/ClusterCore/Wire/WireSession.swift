import Crypto
import FoundationEssentials

/// Seals outgoing and opens incoming datagrams for the local node: AEAD
/// (ChaCha20-Poly1305) under per-(sender, incarnation) session keys, the
/// cleartext header as associated data, and per-peer anti-replay windows.
///
/// Every datagram is bound to a run of its recipient: the header carries the recipient's
/// incarnation as the sender last heard it, and only datagrams bound to this run are used
/// (`otherRun` otherwise). A restarted node therefore uses nothing sent to, or captured from,
/// its earlier runs, although its replay windows started empty; the first datagram each way
/// after a start only introduces the two runs to each other.
///
/// Pure: no sockets, clocks or randomness (the incarnation is injected). Every
/// rejected datagram is counted in `counters` under its reason.
public struct WireSession: Sendable {
    /// What `open` returns: an authentic, fresh datagram from a configured peer.
    public struct Opened<Payload: Sendable>: Sendable {
        public var sender: String
        public var incarnation: Incarnation
        public var sequence: UInt64
        public var payload: Payload
    }

    private struct PeerState: Sendable {
        var incarnation: Incarnation
        var key: SymmetricKey
        var window = ReplayWindow()
    }

    public let localNode: String
    public let incarnation: Incarnation
    public let peers: Set<String>
    public private(set) var counters = WireCounters()
    /// The next sequence number this node will send.
    public private(set) var nextSequence: UInt64 = 1

    private let keys: WireKeys
    private let sendKey: SymmetricKey
    private var peerStates: [String: PeerState] = [:]

    /// - Parameters:
    ///   - peers: the other configured nodes (the local node is ignored if listed).
    ///   - incarnation: this run's incarnation, strictly greater than any earlier run's.
    public init(keys: WireKeys, localNode: String, incarnation: Incarnation, peers: some Sequence<String>) {
        precondition(!localNode.isEmpty && localNode.utf8.count <= WireFormat.maxStringLength, "invalid local node name")
        self.keys = keys
        self.localNode = localNode
        self.incarnation = incarnation
        self.peers = Set(peers).subtracting([localNode])
        self.sendKey = keys.sessionKey(sender: localNode, incarnation: incarnation)
    }

    /// The newest incarnation accepted from `peer`, if any datagram was.
    public func newestIncarnation(of peer: String) -> Incarnation? {
        peerStates[peer]?.incarnation
    }

    /// Seals `payload` for `recipient` (a configured peer) with the next sequence number.
    /// Throws `oversized` when the datagram would exceed `WireFormat.maxDatagramSize`.
    public mutating func seal(_ payload: [UInt8], kind: WireFormat.PayloadKind = .electionMessage, to recipient: String) throws(WireError) -> [UInt8] {
        precondition(peers.contains(recipient), "sealing for '\(recipient)', which is not a configured peer")
        guard nextSequence < UInt64.max else { throw .sequenceExhausted }
        let header = DatagramHeader(
            kind: kind, clusterTag: keys.clusterTag, sender: localNode, recipient: recipient, incarnation: incarnation,
            recipientIncarnation: peerStates[recipient]?.incarnation ?? Incarnation(0), sequence: nextSequence)
        var writer = ByteWriter(capacity: 64 + payload.count + WireFormat.tagSize)
        header.encode(into: &writer)
        _ = try writer.checked()
        let total = writer.count + payload.count + WireFormat.tagSize
        guard total <= WireFormat.maxDatagramSize else {
            throw .oversized(length: total, max: WireFormat.maxDatagramSize)
        }
        let box: ChaChaPoly.SealedBox
        do {
            box = try ChaChaPoly.seal(payload, using: sendKey, nonce: WireKeys.nonce(sequence: nextSequence), authenticating: writer.bytes)
        } catch {
            // Sealing with a 32-byte key and a 12-byte nonce cannot fail.
            fatalError("ChaChaPoly.seal failed: \(error)")
        }
        writer.write(bytes: box.ciphertext)
        writer.write(bytes: box.tag)
        nextSequence += 1
        counters.sealed &+= 1
        return writer.bytes
    }

    /// Opens a datagram and decodes its payload with `decode`. On any failure
    /// the error is counted and thrown; the replay window only advances for
    /// authentic datagrams.
    public mutating func open<Payload: Sendable>(
        _ datagram: [UInt8],
        decode: (WireFormat.PayloadKind, [UInt8]) throws(WireError) -> Payload
    ) throws(WireError) -> Opened<Payload> {
        do {
            let opened = try openUncounted(datagram, decode: decode)
            counters.accepted &+= 1
            return opened
        } catch {
            counters.count(error)
            throw error
        }
    }

    /// Opens a datagram and returns its raw decrypted payload.
    public mutating func open(_ datagram: [UInt8]) throws(WireError) -> Opened<[UInt8]> {
        try open(datagram) { (_, payload) throws(WireError) in payload }
    }

    /// Counts a rejection found by the caller (e.g. by the runtime before it
    /// could hand the bytes to `open`).
    public mutating func count(_ error: WireError) {
        counters.count(error)
    }

    private mutating func openUncounted<Payload: Sendable>(
        _ datagram: [UInt8],
        decode: (WireFormat.PayloadKind, [UInt8]) throws(WireError) -> Payload
    ) throws(WireError) -> Opened<Payload> {
        let (header, headerLength) = try DatagramHeader.parse(datagram, expectedClusterTag: keys.clusterTag)
        guard header.sender != localNode else { throw .reflected }
        guard peers.contains(header.sender) else { throw .unknownSender(header.sender) }
        guard header.recipient == localNode else { throw .misdirected(to: header.recipient) }

        let known = peerStates[header.sender]
        let key: SymmetricKey
        if let known, known.incarnation == header.incarnation {
            key = known.key
        } else {
            key = keys.sessionKey(sender: header.sender, incarnation: header.incarnation)
        }
        let tagStart = datagram.count - WireFormat.tagSize
        let plaintext: Data
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: WireKeys.nonce(sequence: header.sequence),
                ciphertext: datagram[headerLength..<tagStart],
                tag: datagram[tagStart...]
            )
            plaintext = try ChaChaPoly.open(box, using: key, authenticating: datagram[0..<headerLength])
        } catch {
            throw .authenticationFailed(sender: header.sender)
        }

        // Authentic from here on: apply the incarnation and replay rules.
        var state: PeerState
        if let known, header.incarnation < known.incarnation {
            throw .staleIncarnation(sender: header.sender, incarnation: header.incarnation, newest: known.incarnation)
        } else if let known, header.incarnation == known.incarnation {
            state = known
        } else {
            state = PeerState(incarnation: header.incarnation, key: key)
        }
        switch state.window.verdict(for: header.sequence) {
        case .tooOld: throw .replayed(sender: header.sender, sequence: header.sequence)
        case .duplicate: throw .duplicate(sender: header.sender, sequence: header.sequence)
        case .fresh: break
        }
        guard header.recipientIncarnation == incarnation else {
            // Sent before the sender heard this run (or a replay from an earlier run's traffic):
            // learn the sender's run so that what this node sends is bound to it, use nothing else.
            state.window.accept(header.sequence)
            peerStates[header.sender] = state
            throw .otherRun(sender: header.sender, incarnation: header.incarnation, recipientIncarnation: header.recipientIncarnation)
        }
        let payload = try decode(header.kind, Array(plaintext))
        state.window.accept(header.sequence)
        peerStates[header.sender] = state
        return Opened(sender: header.sender, incarnation: header.incarnation, sequence: header.sequence, payload: payload)
    }
}

/// The session's state as plain values, carried when the daemon re-executes itself in place:
/// the re-executed node goes on with the same incarnation and the next sequence number (its
/// peers see no new run), and keeps refusing replays of what it already accepted.
public struct WireSessionSnapshot: Sendable, Equatable, Codable {
    public struct Peer: Sendable, Equatable, Codable {
        public var node: String
        public var incarnation: UInt64
        public var highest: UInt64
        public var bitmap: UInt64
    }

    public var incarnation: UInt64
    public var nextSequence: UInt64
    public var peers: [Peer]
}

extension WireSession {
    public var snapshot: WireSessionSnapshot {
        WireSessionSnapshot(
            incarnation: incarnation.rawValue, nextSequence: nextSequence,
            peers: peerStates.map {
                .init(node: $0.key, incarnation: $0.value.incarnation.rawValue, highest: $0.value.window.highest, bitmap: $0.value.window.bitmap)
            }.sorted { $0.node < $1.node })
    }

    /// A session that goes on from `snapshot` (same incarnation, sequence numbers continuing,
    /// the peers' replay windows as they were). Peers no longer configured are dropped.
    public init(keys: WireKeys, localNode: String, peers: some Sequence<String>, restoring snapshot: WireSessionSnapshot) {
        self.init(keys: keys, localNode: localNode, incarnation: Incarnation(snapshot.incarnation), peers: peers)
        nextSequence = max(snapshot.nextSequence, 1)
        for peer in snapshot.peers where self.peers.contains(peer.node) {
            let incarnation = Incarnation(peer.incarnation)
            peerStates[peer.node] = PeerState(
                incarnation: incarnation, key: keys.sessionKey(sender: peer.node, incarnation: incarnation),
                window: ReplayWindow(highest: peer.highest, bitmap: peer.bitmap))
        }
    }
}
