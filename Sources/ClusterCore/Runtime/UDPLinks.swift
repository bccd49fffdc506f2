import NIOCore
import NIOPosix
import Synchronization

/// The node's UDP sockets: one per configured local address ("link"), all on
/// the cluster port. Datagrams are handed over as raw bytes; everything about
/// their content is the wire layer's business.
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

    private let channels: [any Channel]
    private let continuation: AsyncStream<Datagram>.Continuation
    private let dropCounters: DropCounters

    private final class DropCounters: Sendable {
        let inbound = Atomic<UInt64>(0)
        let sendFailures = Atomic<UInt64>(0)
    }

    /// Datagrams dropped because the runtime did not keep up.
    public var inboundDropped: UInt64 { dropCounters.inbound.load(ordering: .relaxed) }
    /// Sends the kernel refused (no route, interface down, ...).
    public var sendFailures: UInt64 { dropCounters.sendFailures.load(ordering: .relaxed) }

    /// Binds `port` on each of `addresses`. Throws `RuntimeError.bindFailed`
    /// naming the first address that cannot be bound (others are closed again).
    public static func bind(addresses: [String], port: Int, group: any EventLoopGroup, bufferedDatagrams: Int = 1024) async throws(RuntimeError) -> UDPLinks {
        let (stream, continuation) = AsyncStream<Datagram>.makeStream(bufferingPolicy: .bufferingNewest(bufferedDatagrams))
        let counters = DropCounters()
        var channels: [any Channel] = []
        var locals: [SocketAddress] = []
        for (link, address) in addresses.enumerated() {
            do {
                let socketAddress = try SocketAddress(ipAddress: address, port: port)
                let channel = try await DatagramBootstrap(group: group)
                    // Larger than any valid datagram, so oversized ones arrive (truncated) and are counted.
                    .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: WireFormat.maxDatagramSize + 600))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                InboundHandler(link: link, continuation: continuation, counters: counters)
                            )
                        }
                    }
                    .bind(to: socketAddress)
                    .get()
                channels.append(channel)
                locals.append(socketAddress)
            } catch {
                for channel in channels { try? await channel.close() }
                continuation.finish()
                throw .bindFailed(address: address, port: port, reason: String(describing: error))
            }
        }
        return UDPLinks(inbound: stream, continuation: continuation, channels: channels, localAddresses: locals, counters: counters)
    }

    private init(inbound: AsyncStream<Datagram>, continuation: AsyncStream<Datagram>.Continuation, channels: [any Channel], localAddresses: [SocketAddress], counters: DropCounters) {
        self.inbound = inbound
        self.continuation = continuation
        self.channels = channels
        self.localAddresses = localAddresses
        self.dropCounters = counters
    }

    /// Sends `bytes` to `remote` from the socket of `link`; fire and forget
    /// (UDP: loss is expected; a kernel refusal is counted in `sendFailures`).
    public func send(_ bytes: [UInt8], to remote: SocketAddress, link: Int) {
        let channel = channels[link]
        let buffer = channel.allocator.buffer(bytes: bytes)
        let counters = dropCounters
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

    /// Closes every socket and finishes `inbound`.
    public func close() async {
        for channel in channels {
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
