/// The cheap checks a datagram passes before any cryptography, run where it is received
/// (the socket's event loop), so that a flood of forged datagrams never reaches the queue
/// the election's own datagrams wait in:
///
/// 1. the header parses (size, magic, version, cluster tag, names: `DatagramHeader.parse`);
/// 2. it claims a configured peer as sender and this node as recipient;
/// 3. its source is one of that peer's configured addresses, on the cluster port (peers send
///    from their bound sockets); anything else is `sourceMismatch`;
/// 4. an incarnation the peer is not known to run means a session key to derive (HKDF) before
///    the tag can be checked: at most `newIncarnationBurst` such datagrams per peer, refilled at
///    `newIncarnationsPerSecond`; beyond that, `rateLimited`.
///
/// A peer's known incarnation is what the session accepted last (`heard`). Pure: the time is
/// passed in; counts and the last rejection of each reason are kept for status and events.
public struct DatagramAdmission: Sendable {
    public enum Verdict: Sendable, Equatable {
        case admit
        case reject(WireError)
    }

    /// The last datagram rejected for a reason: enough to name it in an event.
    public struct Rejection: Sendable, Equatable {
        public var error: WireError
        public var source: String
    }

    public static let defaultNewIncarnationBurst = 16
    public static let defaultNewIncarnationsPerSecond = 8

    public let localNode: String
    public let clusterTag: [UInt8]
    public let port: Int
    /// Each peer's configured addresses, in the textual form the receiver reports sources in.
    public let peerAddresses: [String: Set<String>]
    public let newIncarnationBurst: Int
    public let newIncarnationsPerSecond: Int

    public private(set) var rejected: [WireError.Reason: UInt64] = [:]
    public private(set) var lastRejection: [WireError.Reason: Rejection] = [:]
    public private(set) var admitted: UInt64 = 0

    private var known: [String: Incarnation] = [:]
    private var buckets: [String: (tokens: Int, refilled: Instant)] = [:]

    public init(
        localNode: String, clusterTag: [UInt8], port: Int, peerAddresses: [String: Set<String>],
        newIncarnationBurst: Int = Self.defaultNewIncarnationBurst, newIncarnationsPerSecond: Int = Self.defaultNewIncarnationsPerSecond
    ) {
        precondition(newIncarnationBurst >= 1 && newIncarnationsPerSecond >= 1, "the new-incarnation budget must admit something")
        self.localNode = localNode
        self.clusterTag = clusterTag
        self.port = port
        self.peerAddresses = peerAddresses.filter { $0.key != localNode }
        self.newIncarnationBurst = newIncarnationBurst
        self.newIncarnationsPerSecond = newIncarnationsPerSecond
    }

    /// The session accepted a datagram of `peer` at `incarnation`: datagrams of that run need no
    /// new key from now on.
    public mutating func heard(_ peer: String, incarnation: Incarnation) {
        if let current = known[peer], current >= incarnation { return }
        known[peer] = incarnation
    }

    /// The incarnation of `peer` that needs no new key, if any.
    public func knownIncarnation(of peer: String) -> Incarnation? { known[peer] }

    /// Decides whether `datagram`, received from `sourceAddress`:`sourcePort` at `now`, goes on
    /// to the session.
    public mutating func admit(_ datagram: [UInt8], sourceAddress: String, sourcePort: Int, now: Instant) -> Verdict {
        let verdict = check(datagram, sourceAddress: sourceAddress, sourcePort: sourcePort, now: now)
        switch verdict {
        case .admit:
            admitted &+= 1
        case let .reject(error):
            rejected[error.reason, default: 0] &+= 1
            lastRejection[error.reason] = Rejection(error: error, source: "\(sourceAddress):\(sourcePort)")
        }
        return verdict
    }

    private mutating func check(_ datagram: [UInt8], sourceAddress: String, sourcePort: Int, now: Instant) -> Verdict {
        let header: DatagramHeader
        do {
            header = try DatagramHeader.parse(datagram, expectedClusterTag: clusterTag).header
        } catch {
            return .reject(error)
        }
        guard header.sender != localNode else { return .reject(.reflected) }
        guard let addresses = peerAddresses[header.sender] else { return .reject(.unknownSender(header.sender)) }
        guard header.recipient == localNode else { return .reject(.misdirected(to: header.recipient)) }
        guard sourcePort == port, addresses.contains(sourceAddress) else {
            return .reject(.sourceMismatch(sender: header.sender, source: "\(sourceAddress):\(sourcePort)"))
        }
        if let current = known[header.sender], current == header.incarnation { return .admit }
        // A run of the peer this node has no key for yet: one HKDF each, so within a budget.
        var bucket = buckets[header.sender] ?? (tokens: newIncarnationBurst, refilled: now)
        let elapsed = now.since(bucket.refilled)
        let refill = Int(elapsed / .seconds(1) * Double(newIncarnationsPerSecond))
        if refill > 0 {
            bucket.tokens = min(newIncarnationBurst, bucket.tokens + refill)
            bucket.refilled = now
        } else if elapsed < .zero {
            bucket.refilled = now
        }
        guard bucket.tokens > 0 else {
            buckets[header.sender] = bucket
            return .reject(.rateLimited(sender: header.sender, perSecond: newIncarnationsPerSecond))
        }
        bucket.tokens -= 1
        buckets[header.sender] = bucket
        return .admit
    }
}
