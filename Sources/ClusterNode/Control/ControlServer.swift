import CACL
import ClusterCore
import ClusterHost
import FoundationEssentials
import SystemPackage
import Glibc
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The daemon's control socket: accepts `hactl` connections, identifies each
/// peer by `SO_PEERCRED`, checks its access and dispatches requests to a
/// `ControlHandler`.
///
/// Usage: `let server = try await ControlServer.bind(path:handler:)`, then
/// `try await server.run()` in a task (returns when the task is cancelled or
/// `close()` is called; the socket file is removed on the way out).
///
/// Bounds (`Limits`): at most `maxConnections` connections at once and `maxPerUser` per
/// non-root uid (more are answered "busy" and closed at once, so one account cannot take every
/// descriptor); a connection must send each request line within `requestTimeout` of
/// connecting or of its previous answer, or it is closed (`events --follow`, which sends
/// nothing more by design, is exempt).
public final class ControlServer: Sendable {
    public struct Limits: Sendable {
        public var maxConnections: Int
        public var maxPerUser: Int
        public var requestTimeout: Duration

        public init(maxConnections: Int = 256, maxPerUser: Int = 32, requestTimeout: Duration = .seconds(10)) {
            self.maxConnections = maxConnections
            self.maxPerUser = maxPerUser
            self.requestTimeout = requestTimeout
        }
    }

    public let path: String
    private let limits: Limits
    private struct Open {
        var total = 0
        var byUser: [UInt32: Int] = [:]
    }
    private let open = Mutex(Open())
    private let channel: NIOAsyncChannel<ControlConnection, Never>
    private let handler: any ControlHandler
    private let authorization: ControlAuthorization
    private let logger: Logger
    private let socketInode: UInt64

    private init(
        path: String, channel: NIOAsyncChannel<ControlConnection, Never>, handler: any ControlHandler,
        authorization: ControlAuthorization, logger: Logger, socketInode: UInt64, limits: Limits
    ) {
        self.limits = limits
        self.path = path
        self.channel = channel
        self.handler = handler
        self.authorization = authorization
        self.logger = logger
        self.socketInode = socketInode
    }

    /// Creates the socket at `path`: the parent directory is created (0755) if missing, a stale
    /// socket nobody listens on is replaced, the socket gets `mode` and the control group.
    public static func bind(
        path: String,
        handler: any ControlHandler,
        authorization: ControlAuthorization = ControlAuthorization(),
        mode: mode_t = 0o660,
        limits: Limits = Limits(),
        group: MultiThreadedEventLoopGroup = .singleton,
        logger: Logger = Logger(label: "haclusterd.control")
    ) async throws -> ControlServer {
        try prepareSocketPath(path)
        let maxRequestBytes = ControlProtocol.maxRequestBytes
        let channel: NIOAsyncChannel<ControlConnection, Never>
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                // A client may shut down its sending side after the request and still read the answer.
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false) { child in
                    peerCredentials(of: child).flatMapThrowing { peer in
                        try child.pipeline.syncOperations.addHandler(ByteToMessageHandler(ControlFrameDecoder(maxLength: maxRequestBytes)))
                        // Output half-closure: when a followed event stream ends, the client sees EOF.
                        let connection = try NIOAsyncChannel<ControlFrame, ByteBuffer>(
                            wrappingChannelSynchronously: child,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                        return ControlConnection(channel: connection, peer: peer)
                    }
                }
        } catch {
            throw ControlServerError.bindFailed(path: path, reason: "\(error)")
        }
        guard chmod(path, mode) == 0 else {
            let code = errno
            try? await channel.channel.close()
            throw ControlServerError.cannotPrepare(path: path, call: "chmod", errno: code)
        }
        if let gid = ControlAuthorization.groupID(named: authorization.group) {
            guard chown(path, uid_t.max, gid) == 0 else {
                let code = errno
                try? await channel.channel.close()
                throw ControlServerError.cannotPrepare(path: path, call: "chown", errno: code)
            }
        }
        if let readGroup = authorization.readGroup {
            // The read group connects through an ACL entry; what it may do is decided per request.
            let text = "user::rw-,group::rw-,group:\(readGroup):rw-,mask::rw-,other::---"
            guard let acl = acl_from_text(text) else {
                try? await channel.channel.close()
                throw ControlServerError.cannotPrepare(path: path, call: "acl_from_text (group \(readGroup))", errno: errno)
            }
            defer { acl_free(UnsafeMutableRawPointer(acl)) }
            guard acl_set_file(path, acl_type_t(ACL_TYPE_ACCESS), acl) == 0 else {
                let code = errno
                try? await channel.channel.close()
                throw ControlServerError.cannotPrepare(path: path, call: "acl_set_file (group \(readGroup))", errno: code)
            }
        }
        var info = stat()
        let inode = stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
        return ControlServer(path: path, channel: channel, handler: handler, authorization: authorization, logger: logger,
                             socketInode: inode, limits: limits)
    }

    /// Serves connections until the calling task is cancelled or `close()` is called.
    public func run() async throws {
        defer { removeSocketFile() }
        try await withTaskCancellationHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask {
                            guard let refusal = self.admit(connection.peer) else {
                                await self.serve(connection)
                                self.leave(connection.peer)
                                return
                            }
                            await self.refuse(connection, refusal)
                        }
                    }
                }
                group.cancelAll()
            }
        } onCancel: {
            self.channel.channel.close(promise: nil)
        }
    }

    /// Stops accepting connections; `run()` then returns.
    public func close() {
        channel.channel.close(promise: nil)
    }

    private func removeSocketFile() {
        // Only our own socket: a new daemon may already have replaced it.
        var info = stat()
        if stat(path, &info) == 0, UInt64(info.st_ino) == socketInode {
            unlink(path)
        }
    }

    /// Counts a new connection in; nil when admitted, else why not (it was not counted).
    private func admit(_ peer: PeerCredentials) -> String? {
        open.withLock { open in
            if open.total >= limits.maxConnections {
                return "busy: \(open.total) control connections are open (at most \(limits.maxConnections)); try again"
            }
            if peer.uid != 0, open.byUser[peer.uid, default: 0] >= limits.maxPerUser {
                return "busy: uid \(peer.uid) has \(limits.maxPerUser) control connections open (the most one user may); close some"
            }
            open.total += 1
            if peer.uid != 0 { open.byUser[peer.uid, default: 0] += 1 }
            return nil
        }
    }

    private func leave(_ peer: PeerCredentials) {
        open.withLock { open in
            open.total -= 1
            if peer.uid != 0 {
                open.byUser[peer.uid, default: 1] -= 1
                if open.byUser[peer.uid] == 0 { open.byUser[peer.uid] = nil }
            }
        }
    }

    private func refuse(_ connection: ControlConnection, _ reason: String) async {
        logger.notice("control: \(reason)", metadata: ["pid": "\(connection.peer.pid)", "uid": "\(connection.peer.uid)"])
        try? await connection.channel.executeThenClose { _, outbound in
            try await outbound.write(Self.buffer(.error(.rejected(reason: reason)), id: nil))
        }
    }

    /// The next request line, or nil at EOF; the connection is closed when none comes within
    /// `requestTimeout` (a client that connects and sends nothing, or one byte a second).
    private func nextFrame(
        _ frames: inout NIOAsyncChannelInboundStream<ControlFrame>.AsyncIterator, channel: any Channel, peer: PeerCredentials
    ) async throws -> ControlFrame? {
        let timeout = limits.requestTimeout
        let logger = self.logger
        let timer = Task {
            try await Task.sleep(for: timeout)
            logger.notice("control: closed a connection that sent no complete request within \(timeout)",
                          metadata: ["pid": "\(peer.pid)", "uid": "\(peer.uid)"])
            try await channel.close()
        }
        defer { timer.cancel() }
        return try await frames.next()
    }

    private func serve(_ connection: ControlConnection) async {
        let peer = connection.peer
        let access = authorization.access(for: peer)
        let channel = connection.channel.channel
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                while let frame = try await nextFrame(&frames, channel: channel, peer: peer) {
                    let request: ControlRequest
                    let id: UInt64?
                    switch frame {
                    case let .oversized(limit):
                        let error = ControlError.badRequest(reason: "request longer than \(limit) bytes")
                        try await outbound.write(Self.buffer(.error(error), id: nil))
                        return
                    case let .line(line):
                        let decoded = ControlProtocol.decodeRequest(line.readableBytesView)
                        id = decoded.id
                        switch decoded.outcome {
                        case let .failure(error):
                            logger.notice("control: refused a malformed request", metadata: ["pid": "\(peer.pid)", "uid": "\(peer.uid)", "error": "\(error.message)"])
                            try await outbound.write(Self.buffer(.error(error), id: id))
                            continue
                        case let .success(decodedRequest):
                            request = decodedRequest
                        }
                    }
                    guard access >= request.requiredAccess else {
                        let refusal = authorization.refusal(for: peer)
                        logger.notice("control: refused \(request.type)", metadata: ["pid": "\(peer.pid)", "uid": "\(peer.uid)"])
                        try await outbound.write(Self.buffer(.error(refusal), id: id))
                        return
                    }
                    // Subscribe before asking for the backlog, so that no event falls between the
                    // two (one may come twice; hactl drops repeats of backlog entries).
                    var live: AsyncStream<ClusterEvent>?
                    if case .events(_, _, true) = request {
                        live = await handler.followEvents(from: peer)
                    }
                    let response = await handler.handle(request, from: peer)
                    try await outbound.write(Self.buffer(response, id: id))
                    if let live, case .result = response {
                        await follow(live, id: id, frames: &frames, outbound: outbound)
                        return
                    }
                }
            }
        } catch {
            logger.debug("control: connection ended", metadata: ["pid": "\(peer.pid)", "error": "\(error)"])
        }
    }

    /// Streams new events until the client closes its side (or the stream ends).
    private func follow(
        _ stream: AsyncStream<ClusterEvent>, id: UInt64?,
        frames: inout NIOAsyncChannelInboundStream<ControlFrame>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in stream {
                    do {
                        try await outbound.write(Self.buffer(.result(.event(event)), id: id))
                    } catch {
                        return
                    }
                }
                // The daemon ended the stream (it is stopping): tell the client.
                outbound.finish()
            }
            // The client sends nothing more; EOF (or an error) means it went away.
            while (try? await frames.next()) != nil {}
            group.cancelAll()
        }
    }

    private static func buffer(_ response: ControlResponse, id: UInt64?) -> ByteBuffer {
        ByteBuffer(bytes: ControlProtocol.encodeResponse(response, id: id))
    }

    // MARK: - socket setup

    static func prepareSocketPath(_ path: String) throws {
        let directory = FilePath(path).removingLastComponent().string
        if !directory.isEmpty {
            try makeDirectories(directory)
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw ControlServerError.notASocket(path: path) }
        if isListening(path) { throw ControlServerError.alreadyInUse(path: path) }
        guard unlink(path) == 0 else { throw ControlServerError.cannotPrepare(path: path, call: "unlink (stale socket)", errno: errno) }
    }

    private static func makeDirectories(_ directory: String) throws {
        var info = stat()
        if stat(directory, &info) == 0 { return }
        let parent = FilePath(directory).removingLastComponent().string
        if !parent.isEmpty, parent != directory {
            try makeDirectories(parent)
        }
        if mkdir(directory, 0o755) != 0, errno != EEXIST {
            throw ControlServerError.cannotCreateDirectory(path: directory, errno: errno)
        }
    }

    /// Whether a process accepts connections on the socket at `path`.
    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        guard var address = UnixSocketAddress(path: path) else { return false }
        return address.connect(fd) == 0 || errno == EAGAIN
    }

    private static func peerCredentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ControlServerError.bindFailed(path: "", reason: "channel does not expose socket options"))
        }
        // `struct ucred` (pid, uid, gid: three 32-bit fields) is hidden behind _GNU_SOURCE in the
        // Glibc module; a tuple has the same C layout.
        let future: EventLoopFuture<(Int32, UInt32, UInt32)> = provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
        return future.map { PeerCredentials(pid: $0.0, uid: $0.1, gid: $0.2) }
    }
}

/// An accepted connection and who is on the other end.
struct ControlConnection: Sendable {
    var channel: NIOAsyncChannel<ControlFrame, ByteBuffer>
    var peer: PeerCredentials
}
