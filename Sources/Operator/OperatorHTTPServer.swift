import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `/metrics` (Prometheus text), `/healthz` (the process is alive) and `/readyz` on the metrics
/// bind address. `/readyz` means "this replica can serve": it is up, has reached the API server
/// and its caches have synced. It does not mean "this replica leads": a standby waiting for the
/// Lease keeps its caches warm and is Ready too, so that the Deployment's rolling update does
/// not wait for a replica that is, by design, waiting. A Service: it stops on graceful shutdown.
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
        let channel = try await PlainHTTP.bind(host: address.host, port: address.port) { path in
            switch path {
            case "/metrics": return (.ok, "text/plain; version=0.0.4", metrics.exposition())
            case "/healthz", "/livez": return (.ok, "text/plain", "ok\n")
            case "/readyz": return ready() ? (.ok, "text/plain", "ok\n") : (.serviceUnavailable, "text/plain", "caches not synced\n")
            default: return (.notFound, "text/plain", "not found: try /metrics, /healthz or /readyz\n")
            }
        }
        bound.withLockedValue { $0 = channel.localAddress?.port }
        logger.info("serving /metrics, /healthz and /readyz", metadata: ["address": "\(address.host):\(channel.localAddress?.port ?? address.port)"])
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// A small HTTP/1.1 server for GET endpoints whose answer is computed on each request: the
/// operator's /metrics and probes, the simulator's metrics face.
public enum PlainHTTP {
    public typealias Answer = (status: HTTPResponseStatus, contentType: String, body: String)

    /// Listens on `host:port` (port 0: any free port) and answers each request by its path
    /// (without the query). Closing the returned channel stops it.
    public static func bind(
        host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        answer: @escaping @Sendable (String) -> Answer
    ) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(PlainHTTPHandler(answer: answer))
                }
            }
            .bind(host: host, port: port).get()
    }
}

final class PlainHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let answer: @Sendable (String) -> PlainHTTP.Answer
    private var head: HTTPRequestHead?

    init(answer: @escaping @Sendable (String) -> PlainHTTP.Answer) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            let (status, type, body) = answer(path)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
