import ClusterCore
import ClusterHost
import NIOCore
import NIOPosix
import Synchronization

/// The node's UDP sockets: one per configured local address ("link"), all on
/// the cluster port. Datagrams are handed over as raw bytes; everything about
/// their content is the wire layer's business.
///
/// A link that cannot be bound at start (interface not up yet, port taken) does
/// not stop the node as long as one link works: it stays "unbound", sends on
/// it are skipped, and `bindMissing()` retries it.
public final class UDPLinks: Sendable {
    /// One received datagram.
    public struct Datagram: Sendable {
        public var bytes: [UInt8]
        public var remote: SocketAddress
        /// Index into the local node's `addresses`.
        public var link: Int
    }

    /// Datagrams from every link, in arrival order. Bounded: when the consumer
    /// falls behind, the newest are kept and `inboundDropped` counts the rest.
    public let inbound: AsyncStream<Datagram>
    public let localAddresses: [SocketAddress]
    public let addressTexts: [String]

    private let group: any EventLoopGroup
    private let channels: Mutex<[(any Channel)?]>
    private let continuation: AsyncStream<Datagram>.Continuation
    private let dropCounters: DropCounters

    private final class DropCounters: Sendable {
        let inbound = Atomic<UInt64>(0)
        let sendFailures = Atomic<UInt64>(0)
    }

    /// Datagrams dropped because the runtime did not keep up.
    public var inboundDropped: UInt64 { dropCounters.inbound.load(ordering: .relaxed) }
    /// Sends the kernel refused (no route, interface down, ...) or skipped on an unbound link.
    public var sendFailures: UInt64 { dropCounters.sendFailures.load(ordering: .relaxed) }

    /// Links that are not bound, with the index of each.
    public var unboundLinks: [Int] {
        channels.withLock { slots in slots.indices.filter { slots[$0] == nil } }
    }

    /// Binds `port` on each of `addresses`. Links that fail are left unbound
    /// (see `unboundLinks`, `bindMissing`); throws `RuntimeError.bindFailed`
    /// for an address that is not an IP literal, or when no link can be bound.
    public static func bind(addresses: [String], port: Int, group: any EventLoopGroup, bufferedDatagrams: Int = 1024) async throws(RuntimeError) -> (links: UDPLinks, failures: [(link: Int, error: RuntimeError)]) {
        var locals: [SocketAddress] = []
        for address in addresses {
            do {
                locals.append(try SocketAddress(ipAddress: address, port: port))
            } catch {
                throw .bindFailed(address: address, port: port, reason: "not an IP address literal")
            }
        }
        let (stream, continuation) = AsyncStream<Datagram>.makeStream(bufferingPolicy: .bufferingNewest(bufferedDatagrams))
        let links = UDPLinks(inbound: stream, continuation: continuation, group: group, localAddresses: locals, addressTexts: addresses)
        let failures = await links.bindMissing()
        if failures.count == addresses.count, let first = failures.first {
            await links.close()
            throw first.error
        }
        return (links, failures)
    }

    private init(inbound: AsyncStream<Datagram>, continuation: AsyncStream<Datagram>.Continuation, group: any EventLoopGroup, localAddresses: [SocketAddress], addressTexts: [String]) {
        self.inbound = inbound
        self.continuation = continuation
        self.group = group
        self.localAddresses = localAddresses
        self.addressTexts = addressTexts
        self.channels = Mutex(Array(repeating: nil, count: localAddresses.count))
        self.dropCounters = DropCounters()
    }

    /// Tries to bind every unbound link; returns the links that still failed.
    public func bindMissing() async -> [(link: Int, error: RuntimeError)] {
        var failures: [(Int, RuntimeError)] = []
        for link in unboundLinks {
            do {
                let channel = try await bindChannel(link: link)
                channels.withLock { $0[link] = channel }
            } catch {
                let port = localAddresses[link].port ?? 0
                failures.append((link, .bindFailed(address: addressTexts[link], port: port, reason: String(describing: error))))
            }
        }
        return failures
    }

    private func bindChannel(link: Int) async throws -> any Channel {
        let continuation = self.continuation
        let counters = dropCounters
        return try await DatagramBootstrap(group: group)
            // Larger than any valid datagram, so oversized ones arrive (truncated) and are counted.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: WireFormat.maxDatagramSize + 600))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        InboundHandler(link: link, continuation: continuation, counters: counters)
                    )
                }
            }
            .bind(to: localAddresses[link])
            .get()
    }

    /// Sends `bytes` to `remote` from the socket of `link`; fire and forget
    /// (UDP: loss is expected; a kernel refusal or an unbound link is counted
    /// in `sendFailures`).
    public func send(_ bytes: [UInt8], to remote: SocketAddress, link: Int) {
        let counters = dropCounters
        guard let channel = channels.withLock({ $0[link] }) else {
            counters.sendFailures.add(1, ordering: .relaxed)
            return
        }
        let buffer = channel.allocator.buffer(bytes: bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer)).whenFailure { _ in
            counters.sendFailures.add(1, ordering: .relaxed)
        }
    }

    /// The link to send to `remote` from: the same index when its address
    /// family matches (links are numbered alike on every node), else the
    /// first link of that family; nil when no local link has that family.
    public func link(forPeerAddressIndex index: Int, remote: SocketAddress) -> Int? {
        if index < localAddresses.count, localAddresses[index].protocol == remote.protocol {
            return index
        }
        return localAddresses.firstIndex { $0.protocol == remote.protocol }
    }

    /// Test hook: closes the socket of one link, as if its interface had gone away; the link
    /// is unbound from then on (`bindMissing` binds it again).
    func closeLink(_ link: Int) async {
        let channel = channels.withLock { slots in
            defer { slots[link] = nil }
            return slots[link]
        }
        try? await channel?.close()
    }

    /// Closes every socket and finishes `inbound`.
    public func close() async {
        let open = channels.withLock { slots in
            defer { slots = Array(repeating: nil, count: slots.count) }
            return slots.compactMap { $0 }
        }
        for channel in open {
            try? await channel.close()
        }
        continuation.finish()
    }

    private final class InboundHandler: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>

        let link: Int
        let continuation: AsyncStream<Datagram>.Continuation
        let counters: DropCounters

        init(link: Int, continuation: AsyncStream<Datagram>.Continuation, counters: DropCounters) {
            self.link = link
            self.continuation = continuation
            self.counters = counters
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let bytes = Array(envelope.data.readableBytesView)
            if case .dropped = continuation.yield(Datagram(bytes: bytes, remote: envelope.remoteAddress, link: link)) {
                counters.inbound.add(1, ordering: .relaxed)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // UDP errors (ICMP unreachable and the like) are not fatal to the socket.
        }
    }
}
