/// A peer heard on one local link within `failure_timeout`: evidence that it is alive
/// (`LinkMonitor.heardLinks(now:)`), which refuses `hactl fence confirm` of that peer.
public struct HeardLink: Sendable, Equatable {
    public var peer: String
    /// Index into the local node's `addresses`.
    public var link: Int
    /// The local address of that link.
    public var localAddress: String
    /// How long ago the peer was last heard on it.
    public var ago: Duration

    public init(peer: String, link: Int, localAddress: String, ago: Duration) {
        self.peer = peer
        self.link = link
        self.localAddress = localAddress
        self.ago = ago
    }
}
