/// Which (peer, local link) pairs are up, and the `link.down` / `link.up` events when
/// one changes. Pure: the runtime tells it every authentic datagram (`heard`) and calls
/// `check` on its ticks with the monotonic clock.
///
/// A link is up while the peer was heard on it within `failureTimeout`, down otherwise.
/// Each change is reported once: `link.down` (warning) when a link that was up goes
/// silent, `link.up` (notice) when a link that was down is heard again. A link never
/// heard is not reported while its peer is unreachable on every link (a peer that is
/// not running yet); it is reported down once the peer has been reachable on another
/// link for longer than `failureTimeout` (a link that does not work at all). A link
/// heard for the first time is not an event.
///
/// Only peers that keep every link busy are watched (`check(now:watching:)`): a follower
/// hears another follower only through the keepalives of releases that send node info.
public struct LinkMonitor: Sendable {
    public struct Key: Hashable, Sendable {
        public var peer: String
        /// Index into the local node's `addresses`.
        public var link: Int

        public init(peer: String, link: Int) {
            self.peer = peer
            self.link = link
        }
    }

    /// A change of one link, as the runtime records it.
    public struct Transition: Sendable, Equatable {
        public var kind: EventKind
        public var severity: ClusterEvent.Severity
        public var message: String
    }

    public let peers: [String]
    /// The local node's addresses, one per link.
    public let localAddresses: [String]
    public let failureTimeout: Duration

    private var lastHeard: [Key: Instant] = [:]
    /// Absent: not known yet (never heard and not reported).
    private var up: [Key: Bool] = [:]
    private var downSince: [Key: Instant] = [:]
    /// Since when each peer is up on at least one link.
    private var reachableSince: [String: Instant] = [:]

    public init(peers: [String], localAddresses: [String], failureTimeout: Duration) {
        self.peers = peers
        self.localAddresses = localAddresses
        self.failureTimeout = failureTimeout
    }

    /// An authentic datagram from `peer` arrived on local link `link`.
    public mutating func heard(_ peer: String, link: Int, now: Instant) {
        lastHeard[Key(peer: peer, link: link)] = now
    }

    /// When `peer` was last heard on `link`; nil when never.
    public func lastHeard(_ peer: String, link: Int) -> Instant? {
        lastHeard[Key(peer: peer, link: link)]
    }

    /// Whether `peer` was heard on `link` within `failureTimeout` of `now`.
    public func isUp(_ peer: String, link: Int, now: Instant) -> Bool {
        guard let heard = lastHeard(peer, link: link) else { return false }
        return now.since(heard) <= failureTimeout
    }

    /// Every (peer, link) heard within `failureTimeout` of `now`, by peer then link: what
    /// this node hears of its peers right now, on any link and from any datagram.
    public func heardLinks(now: Instant) -> [HeardLink] {
        peers.flatMap { peer in
            localAddresses.indices.compactMap { link -> HeardLink? in
                guard isUp(peer, link: link, now: now), let heard = lastHeard(peer, link: link) else { return nil }
                return HeardLink(peer: peer, link: link, localAddress: localAddresses[link], ago: now.since(heard))
            }
        }
    }

    /// Compares every link of the `watching` peers (nil: every peer) with its last known
    /// state; returns the changes, each once.
    public mutating func check(now: Instant, watching: Set<String>? = nil) -> [Transition] {
        var transitions: [Transition] = []
        for peer in peers where watching?.contains(peer) ?? true {
            let links = Array(localAddresses.indices)
            let fresh = links.map { isUp(peer, link: $0, now: now) }
            if fresh.contains(true) {
                if reachableSince[peer] == nil { reachableSince[peer] = now }
            } else {
                reachableSince[peer] = nil
            }
            var wentDown: [(link: Int, silence: Duration?)] = []
            var cameUp: [(link: Int, downFor: Duration)] = []
            for link in links {
                let key = Key(peer: peer, link: link)
                let previous = up[key]
                if fresh[link] {
                    up[key] = true
                    if previous == false {
                        cameUp.append((link, now.since(downSince.removeValue(forKey: key) ?? now)))
                    }
                    continue
                }
                guard previous != false else { continue }
                let heard = lastHeard[key]
                if previous == nil, heard == nil {
                    // Never heard: a problem only while the peer is heard on another link.
                    guard let since = reachableSince[peer], now.since(since) > failureTimeout else { continue }
                }
                up[key] = false
                downSince[key] = now
                wentDown.append((link, heard.map { now.since($0) }))
            }
            let reachable = links.filter { up[Key(peer: peer, link: $0)] == true }
            let still = reachable.isEmpty
                ? "\(peer) unreachable on every link"
                : "\(peer) still reachable on \(Self.name(reachable))"
            for (link, silence) in wentDown {
                let why = silence.map { "nothing heard for \(DurationText.format($0))" } ?? "nothing heard on it since this node started"
                transitions.append(Transition(
                    kind: .linkDown, severity: .warning,
                    message: "link \(link) (\(localAddresses[link])) to \(peer) is down: \(why); \(still)"))
            }
            for (link, downFor) in cameUp {
                transitions.append(Transition(
                    kind: .linkUp, severity: .notice,
                    message: "link \(link) (\(localAddresses[link])) to \(peer) is up again (down for \(DurationText.format(downFor)))"))
            }
        }
        return transitions
    }

    private static func name(_ links: [Int]) -> String {
        links.count == 1 ? "link \(links[0])" : "links \(links.map(String.init).joined(separator: ", "))"
    }
}
