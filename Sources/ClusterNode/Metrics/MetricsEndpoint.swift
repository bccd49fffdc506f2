import ClusterCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `[metrics] listen`: `GET /metrics` over HTTP/1.1 answers the Prometheus text format
/// (`ClusterMetrics`), one request per connection; anything else is 404 or 405. A connection
/// that sends no full request within 10 s is closed.
final class MetricsEndpoint: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    static let requestTimeout: TimeAmount = .seconds(10)

    private let channel: any Channel
    let endpoint: String

    private init(channel: any Channel, endpoint: String) {
        self.channel = channel
        self.endpoint = endpoint
    }

    /// Listens on `config`; `render` is called for every scrape.
    static func start(
        _ config: MetricsConfig, group: any EventLoopGroup, render: @escaping @Sendable () async -> [UInt8]
    ) async throws -> MetricsEndpoint {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: requestTimeout))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsRequestHandler(render: render))
                }
            }
            .bind(host: config.host, port: Int(config.port))
            .get()
        return MetricsEndpoint(channel: channel, endpoint: config.endpoint)
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// One request: the metrics, or why not.
private final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () async -> [UInt8]
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () async -> [UInt8]) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
            guard head.method == .GET || head.method == .HEAD else {
                respond(context, status: .methodNotAllowed, body: Array("only GET /metrics\n".utf8), head: false)
                return
            }
            guard path == "/metrics" else {
                respond(context, status: .notFound, body: Array("haclusterd serves /metrics only\n".utf8), head: head.method == .HEAD)
                return
            }
            let promise = context.eventLoop.makePromise(of: [UInt8].self)
            promise.completeWithTask { [render] in await render() }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let isHead = head.method == .HEAD
            promise.futureResult.whenSuccess { body in
                let (handler, context) = bound.value
                handler.respond(context, status: .ok, body: body, head: isHead, contentType: MetricsEndpoint.contentType)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, status: HTTPResponseStatus, body: [UInt8], head: Bool,
        contentType: String = "text/plain; charset=utf-8"
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !head {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
