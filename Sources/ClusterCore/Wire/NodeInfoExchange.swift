/// When to send this node's `NodeInfo` to each peer, and what the peers said (pure: the
/// runtime passes the time in).
///
/// - At start every peer is due at once, the info marked "reply wanted".
/// - A peer that answered gets it again every `refreshInterval` (a lost datagram heals).
/// - A peer that never answered (not up yet, or a release without node info, which drops
///   the datagram and logs that once a minute) gets it every `olderPeerInterval`, and at
///   once when it is first heard from in an incarnation (it just started).
/// - An info received with "reply wanted" makes that peer due at once.
/// - A change of this node's service phase makes every peer that answered due at once.
public struct NodeInfoExchange: Sendable {
    public static let refreshInterval: Duration = .seconds(10)
    public static let olderPeerInterval: Duration = .seconds(60)

    struct Peer: Sendable {
        var info: NodeInfo?
        var incarnation: Incarnation?
        var nextSend: Instant
    }

    public private(set) var local: NodeInfo
    private var peers: [String: Peer]

    public init(local: NodeInfo, peers: [String], now: Instant) {
        self.local = local
        self.peers = Dictionary(uniqueKeysWithValues: peers.map { ($0, Peer(nextSend: now)) })
    }

    /// What `peer` last said, if anything (in its current incarnation).
    public func info(of peer: String) -> NodeInfo? {
        peers[peer]?.info
    }

    /// An authenticated datagram of any kind came from `peer`.
    public mutating func heard(_ peer: String, incarnation: Incarnation, now: Instant) {
        guard var state = peers[peer] else { return }
        if state.incarnation != incarnation {
            // Started (or restarted): what it said before no longer holds; tell it at once.
            state.incarnation = incarnation
            state.info = nil
            state.nextSend = now
        }
        peers[peer] = state
    }

    public mutating func received(_ info: NodeInfo, from peer: String, incarnation: Incarnation, now: Instant) {
        heard(peer, incarnation: incarnation, now: now)
        guard var state = peers[peer] else { return }
        let first = state.info == nil
        state.info = NodeInfo(software: info.software, config: info.config, service: info.service)
        if info.replyWanted || first { state.nextSend = min(state.nextSend, now) }
        peers[peer] = state
    }

    /// This node's service phase changed: every peer that answered is due at once (the others
    /// get it with their next send). Returns whether it changed.
    @discardableResult
    public mutating func update(service: NodeInfo.ServicePhase, now: Instant) -> Bool {
        guard local.service != service else { return false }
        local.service = service
        for (name, var state) in peers where state.info != nil {
            state.nextSend = min(state.nextSend, now)
            peers[name] = state
        }
        return true
    }

    /// The peers to send to now, each with the info to send; schedules their next send.
    public mutating func due(now: Instant) -> [(peer: String, info: NodeInfo)] {
        var result: [(String, NodeInfo)] = []
        for name in peers.keys.sorted() {
            guard var state = peers[name], state.nextSend <= now else { continue }
            var info = local
            info.replyWanted = state.info == nil
            result.append((name, info))
            state.nextSend = now + (state.info == nil ? Self.olderPeerInterval : Self.refreshInterval)
            peers[name] = state
        }
        return result
    }

    /// The earliest time a send is due.
    public var nextDeadline: Instant? {
        peers.values.map(\.nextSend).min()
    }
}
