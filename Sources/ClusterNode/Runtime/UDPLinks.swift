internal import CLinux
import ClusterCore
import ClusterHost
import Glibc
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
    private let filter: InboundFilter?

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
    /// `filter`: datagrams it refuses are dropped on the event loop, never queued.
    static func bind(addresses: [String], port: Int, group: any EventLoopGroup, bufferedDatagrams: Int = 1024, filter: InboundFilter? = nil) async throws(RuntimeError) -> (links: UDPLinks, failures: [(link: Int, error: RuntimeError)]) {
        var locals: [SocketAddress] = []
        for address in addresses {
            do {
                locals.append(try SocketAddress(ipAddress: address, port: port))
            } catch {
                throw .bindFailed(address: address, port: port, reason: "not an IP address literal")
            }
        }
        let (stream, continuation) = AsyncStream<Datagram>.makeStream(bufferingPolicy: .bufferingNewest(bufferedDatagrams))
        let links = UDPLinks(inbound: stream, continuation: continuation, group: group, localAddresses: locals, addressTexts: addresses, filter: filter)
        let failures = await links.bindMissing()
        if failures.count == addresses.count, let first = failures.first {
            await links.close()
            throw first.error
        }
        return (links, failures)
    }

    private init(inbound: AsyncStream<Datagram>, continuation: AsyncStream<Datagram>.Continuation, group: any EventLoopGroup, localAddresses: [SocketAddress], addressTexts: [String], filter: InboundFilter?) {
        self.filter = filter
        self.inbound = inbound
        self.continuation = continuation
        self.group = group
        self.localAddresses = localAddresses
        self.addressTexts = addressTexts
        self.channels = Mutex(Array(repeating: nil, count: localAddresses.count))
        self.dropCounters = DropCounters()
    }

    /// The socket filters in force (`SocketFilterProgram`), by address family; applied to every
    /// link now and to each link bound later.
    private let socketFilters = Mutex<(v4: SocketFilterProgram?, v6: SocketFilterProgram?)>((nil, nil))

    /// Attaches `v4` and `v6` (`SO_ATTACH_FILTER`) to the links of their family, replacing the
    /// filter before (the kernel swaps it atomically). Returns the links that refused it.
    @discardableResult
    func setSocketFilters(v4: SocketFilterProgram?, v6: SocketFilterProgram?) async -> [(link: Int, error: String)] {
        socketFilters.withLock { $0 = (v4, v6) }
        var failures: [(Int, String)] = []
        for (link, channel) in channels.withLock({ Array($0.enumerated()) }) {
            guard let channel else { continue }
            if let error = await Self.attach(program(for: link, v4: v4, v6: v6), to: channel) { failures.append((link, error)) }
        }
        return failures
    }

    private func program(for link: Int, v4: SocketFilterProgram?, v6: SocketFilterProgram?) -> SocketFilterProgram? {
        localAddresses[link].protocol == .inet ? v4 : v6
    }

    /// `struct sock_fprog` for `SocketOptionProvider`, which copies the value's bytes: the
    /// instructions it points to live until the option is set.
    private struct FilterProgramValue: @unchecked Sendable {
        var program: sock_fprog
    }

    private static func attach(_ program: SocketFilterProgram?, to channel: any Channel) async -> String? {
        guard let program, let provider = channel as? any SocketOptionProvider else { return nil }
        let count = program.instructions.count
        let instructions = UnsafeMutablePointer<sock_filter>.allocate(capacity: count)
        defer { instructions.deallocate() }
        for (index, instruction) in program.instructions.enumerated() {
            instructions[index] = sock_filter(code: instruction.code, jt: instruction.jt, jf: instruction.jf, k: instruction.k)
        }
        let value = FilterProgramValue(program: sock_fprog(len: UInt16(count), filter: instructions))
        do {
            try await provider.unsafeSetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_ATTACH_FILTER), value: value
            ).get()
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// Tries to bind every unbound link; returns the links that still failed.
    public func bindMissing() async -> [(link: Int, error: RuntimeError)] {
        var failures: [(Int, RuntimeError)] = []
        for link in unboundLinks {
            do {
                let channel = try await bindChannel(link: link)
                let filters = socketFilters.withLock { $0 }
                if let error = await Self.attach(program(for: link, v4: filters.v4, v6: filters.v6), to: channel) {
                    try? await channel.close()
                    throw RuntimeError.bindFailed(address: addressTexts[link], port: localAddresses[link].port ?? 0, reason: "cannot attach the socket filter: \(error)")
                }
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
        let filter = self.filter
        return try await DatagramBootstrap(group: group)
            // Larger than any valid datagram, so oversized ones arrive (truncated) and are counted.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: WireFormat.maxDatagramSize + 600))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        InboundHandler(link: link, continuation: continuation, counters: counters, filter: filter)
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
        let filter: InboundFilter?

        init(link: Int, continuation: AsyncStream<Datagram>.Continuation, counters: DropCounters, filter: InboundFilter?) {
            self.link = link
            self.continuation = continuation
            self.counters = counters
            self.filter = filter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let bytes = Array(envelope.data.readableBytesView)
            if let filter, !filter.admit(bytes, from: envelope.remoteAddress) { return }
            if case .dropped = continuation.yield(Datagram(bytes: bytes, remote: envelope.remoteAddress, link: link)) {
                counters.inbound.add(1, ordering: .relaxed)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // UDP errors (ICMP unreachable and the like) are not fatal to the socket.
        }
    }
}
