import Hummingbird
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// `/metrics` (Prometheus text), `/healthz` (the process is alive) and `/readyz` on the metrics
/// bind address, served by Hummingbird. `/readyz` means "this replica can serve": it is up, has
/// reached the API server and its caches have synced. It does not mean "this replica leads": a
/// standby waiting for the Lease keeps its caches warm and is Ready too, so that the
/// Deployment's rolling update does not wait for a replica that is, by design, waiting. A
/// Service: it stops on graceful shutdown.
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

    /// The answer to a GET of `path`; any other method gets the same answer, as probes expect.
    func answer(_ path: String) -> Response {
        switch path {
        case "/metrics": return Self.text(.ok, "text/plain; version=0.0.4", metrics.exposition())
        case "/healthz", "/livez": return Self.text(.ok, "text/plain", "ok\n")
        case "/readyz": return ready() ? Self.text(.ok, "text/plain", "ok\n") : Self.text(.serviceUnavailable, "text/plain", "caches not synced\n")
        default: return Self.text(.notFound, "text/plain", "not found: try /metrics, /healthz or /readyz\n")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ contentType: String, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    public func run() async throws {
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { [self] request, _ in answer(request.uri.path) },
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil, reuseAddress: true),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? address.port
                bound.withLockedValue { $0 = port }
                logger.info("serving /metrics, /healthz and /readyz", metadata: ["address": "\(address.host):\(port)"])
            },
            logger: logger)
        try await application.run()
    }
}
