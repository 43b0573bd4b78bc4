import Hummingbird
import Logging

/// A small HTTP face on 127.0.0.1, served by Hummingbird: each request is answered by its path
/// (without the query), whatever its method. The served world's `/metrics` (what Prometheus
/// scrapes) and `/world` use it. It listens from `start` until `stop`.
final class HTTPFaceServer: Sendable {
    typealias Answer = (status: Int, contentType: String, body: String)

    struct NotListening: Error, CustomStringConvertible {
        let port: Int
        var description: String { "the HTTP face on 127.0.0.1:\(port) stopped before it listened" }
    }

    let port: Int
    /// The server's run; `stop` cancels it and waits for it to end.
    private let running: Task<Void, any Error>

    private init(port: Int, running: Task<Void, any Error>) {
        self.port = port
        self.running = running
    }

    /// Listens on 127.0.0.1:`port` (0: any free port) and returns once it does; a port that
    /// cannot be bound throws the server's error.
    static func start(port: Int, answer: @escaping @Sendable (String) -> Answer) async throws -> HTTPFaceServer {
        let (bound, announce) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                let (status, contentType, body) = answer(request.uri.path)
                return Response(
                    status: HTTPResponse.Status(code: status), headers: [.contentType: contentType],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: nil, reuseAddress: true),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? port)
                announce.finish()
            },
            logger: Logger(label: "ebb-simulate-http-face", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task {
            defer { announce.finish() }
            try await application.run()
        }
        for await listening in bound { return HTTPFaceServer(port: listening, running: running) }
        try await running.value
        throw NotListening(port: port)
    }

    func stop() async {
        running.cancel()
        _ = await running.result
    }
}
