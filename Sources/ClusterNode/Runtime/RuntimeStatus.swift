import ClusterCore
import ClusterHost
/// A snapshot of the runtime for `hactl status` and metrics.
public struct RuntimeStatus: Sendable {
    /// Whether the node can write its state. While failing, the node sends
    /// nothing (it can claim nothing) and retries every tick.
    public enum Persistence: Sendable, Equatable {
        case healthy
        case failing(StateStoreError)
    }

    /// When a peer was last heard on one local link (an authentic datagram).
    public struct Link: Sendable, Equatable {
        public var peer: String
        /// Index into the local node's `addresses`.
        public var link: Int
        public var localAddress: String
        /// Time since the last authentic datagram from `peer` on this link; nil = never.
        public var lastHeard: Duration?
    }

    public var election: ElectionStatus
    public var incarnation: Incarnation
    public var wire: WireCounters
    public var links: [Link]
    /// Local links whose socket could not be bound (retried every few seconds).
    public var unboundLinks: [Int]
    public var persistence: Persistence
    /// Failed `save`s since start.
    public var persistFailures: UInt64
    /// Datagrams dropped because the loop did not keep up.
    public var inboundDropped: UInt64
    /// Sends the kernel refused.
    public var sendFailures: UInt64
    /// Messages that could not be encoded or sealed (too large for a datagram).
    public var unsendable: UInt64
    /// What this node tells its peers (release, configuration digest).
    public var localInfo: NodeInfo
    /// What each peer told (absent: not heard yet in its current run, or a release
    /// without node info).
    public var peerInfo: [String: NodeInfo]
    /// The etcd backend's endpoints and lease (nil with the built-in backend).
    public var etcd: StatusReport.Etcd? = nil

    public init(
        election: ElectionStatus, incarnation: Incarnation, wire: WireCounters, links: [Link], unboundLinks: [Int],
        persistence: Persistence, persistFailures: UInt64, inboundDropped: UInt64, sendFailures: UInt64, unsendable: UInt64,
        localInfo: NodeInfo, peerInfo: [String: NodeInfo], etcd: StatusReport.Etcd? = nil
    ) {
        self.election = election
        self.incarnation = incarnation
        self.wire = wire
        self.links = links
        self.unboundLinks = unboundLinks
        self.persistence = persistence
        self.persistFailures = persistFailures
        self.inboundDropped = inboundDropped
        self.sendFailures = sendFailures
        self.unsendable = unsendable
        self.localInfo = localInfo
        self.peerInfo = peerInfo
        self.etcd = etcd
    }
}
