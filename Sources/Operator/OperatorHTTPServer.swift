import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `/metrics` (Prometheus text), `/healthz` (the process is alive) and `/readyz` (the caches
/// have synced) on the metrics bind address. A Service: it stops on graceful shutdown.
public final class OperatorHTTPServer: Service, Sendable {
    public let address: BindAddress
    let metrics: OperatorMetrics
    let ready: @Sendable () -> Bool
    let logger: Logger
    let bound = NIOLockedValueBox<Int?>(nil)

    public init(address: BindAddress, metrics: OperatorMetrics, logger: Logger, ready: @escaping @Sendable () -> Bool) {
        self.address = address
        self.metrics = metrics
        self.logger = logger
        self.ready = ready
    }

    /// The port it listens on, once it does (useful with port 0).
    public var port: Int? { bound.withLockedValue { $0 } }

    public func run() async throws {
        let metrics = self.metrics
        let ready = self.ready
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(OperatorHTTPHandler(metrics: metrics, ready: ready))
                }
            }
            .bind(host: address.host, port: address.port).get()
        bound.withLockedValue { $0 = channel.localAddress?.port }
        logger.info("serving /metrics, /healthz and /readyz", metadata: ["address": "\(address.host):\(channel.localAddress?.port ?? address.port)"])
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

final class OperatorHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let metrics: OperatorMetrics
    let ready: @Sendable () -> Bool
    private var head: HTTPRequestHead?

    init(metrics: OperatorMetrics, ready: @escaping @Sendable () -> Bool) {
        self.metrics = metrics
        self.ready = ready
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            let (status, type, body): (HTTPResponseStatus, String, String)
            switch path {
            case "/metrics": (status, type, body) = (.ok, "text/plain; version=0.0.4", metrics.exposition())
            case "/healthz", "/livez": (status, type, body) = (.ok, "text/plain", "ok\n")
            case "/readyz": (status, type, body) = ready() ? (.ok, "text/plain", "ok\n") : (.serviceUnavailable, "text/plain", "caches not synced\n")
            default: (status, type, body) = (.notFound, "text/plain", "not found: try /metrics, /healthz or /readyz\n")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
