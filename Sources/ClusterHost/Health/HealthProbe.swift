import ClusterCore
import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One `health_url` check: an HTTP/1.1 GET through NIO's HTTP codec (NIOHTTP1), over TLS
/// (NIOSSL) for https, bounded by `timeout` from connect to the response's status line;
/// healthy means status 200. Only the head is read: the connection is closed as soon as the
/// status is known. Runs on NIO's event loops, so a hung server never blocks anything else.
public struct HealthProbe: HealthChecking {
    public let url: HealthURL
    public var timeout: Duration
    private let tls: NIOSSLContext?
    private let group: any EventLoopGroup

    /// - Parameters:
    ///   - caFile: https: PEM CA certificates the server's certificate must chain to (nil: the system's).
    ///   - verify: https: false accepts any certificate and name (`health_tls_verify = false`).
    public init(
        url: HealthURL, timeout: Duration = .seconds(2), caFile: String? = nil, verify: Bool = true,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(HealthProbeError) {
        self.url = url
        self.timeout = timeout
        self.group = group
        guard url.scheme == .https else {
            tls = nil
            return
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !verify {
            configuration.certificateVerification = .none
        } else if let caFile {
            configuration.trustRoots = .file(caFile)
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            if verify, let caFile {
                // NIOSSL reads a trust-roots file lazily: load it now, so that an unreadable or
                // malformed file is a start-up error naming it, not a failing check later.
                _ = try NIOSSLCertificate.fromPEMFile(caFile)
            }
            tls = context
        } catch {
            throw .tls(file: caFile, reason: "\(error)")
        }
    }

    public init(parsing url: String, timeout: Duration = .seconds(2), caFile: String? = nil, verify: Bool = true) throws {
        try self.init(url: try HealthURL(parsing: url), timeout: timeout, caFile: caFile, verify: verify)
    }

    /// nil when healthy, else why not.
    public func check() async -> HealthFailure? {
        let shown = url.description
        let loop = group.next()
        let status = loop.makePromise(of: HTTPResponseStatus.self)
        let url = self.url
        let tls = self.tls
        let bound = TimeAmount.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(bound)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let name = url.host.contains(":") || url.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : url.host
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(StatusHandler(url: url, status: status))
                }
            }
        let timer = loop.scheduleTask(in: bound) {
            status.fail(ProbeTimeout())
        }
        let connected = bootstrap.connect(host: url.host, port: Int(url.port))
        connected.whenFailure { status.fail($0) }
        defer {
            timer.cancel()
            connected.whenSuccess { $0.close(promise: nil) }
        }
        do {
            let code = try await status.futureResult.get()
            return code.code == 200 ? nil : .status(url: shown, code: Int(code.code))
        } catch is ProbeTimeout {
            return .timedOut(url: shown, after: timeout)
        } catch let error as NIOConnectionError {
            if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty {
                return .resolveFailed(host: url.host, detail: "\(error.dnsAError ?? error.dnsAAAAError!)")
            }
            let reasons = error.connectionErrors.map { failure in
                (failure.error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(failure.error)"
            }
            return .connectFailed(url: shown, reason: reasons.isEmpty ? "\(error)" : reasons.joined(separator: "; "))
        } catch let error as ChannelError {
            if case .connectTimeout = error { return .timedOut(url: shown, after: timeout) }
            if case .eof = error { return .malformedResponse(url: shown, firstLine: "connection closed before a response") }
            return .ioFailed(url: shown, reason: "\(error)")
        } catch let error as HTTPParserError {
            return .malformedResponse(url: shown, firstLine: "\(error)")
        } catch {
            return .ioFailed(url: shown, reason: "\(error)")
        }
    }

    private struct ProbeTimeout: Error {}

    /// Sends the GET once active; completes `status` with the response head's status.
    private final class StatusHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart

        let url: HealthURL
        let status: EventLoopPromise<HTTPResponseStatus>

        init(url: HealthURL, status: EventLoopPromise<HTTPResponseStatus>) {
            self.url = url
            self.status = status
        }

        func channelActive(context: ChannelHandlerContext) {
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target)
            head.headers.add(name: "Host", value: url.hostHeader)
            head.headers.add(name: "User-Agent", value: "haclusterd")
            head.headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case let .head(response) = unwrapInboundIn(data) {
                status.succeed(response.status)
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            status.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            status.fail(ChannelError.eof)
            context.fireChannelInactive()
        }
    }
}

/// A health check that cannot be set up (https: the CA file).
public enum HealthProbeError: Error, Sendable, CustomStringConvertible {
    case tls(file: String?, reason: String)

    public var description: String {
        switch self {
        case let .tls(file, reason): file.map { "health_ca_file \($0): \(reason)" } ?? "TLS for the health check: \(reason)"
        }
    }
}
