import Hummingbird
import Logging

/// A small HTTP face on 127.0.0.1, served by Hummingbird: each request is answered by its path
/// (without the query), whatever its method. The served world's `/metrics` (what Prometheus
/// scrapes) and `/world` use it. It listens from `start` until `stop`.
struct HTTPFaceServer: Sendable {
    typealias Answer = (status: Int, contentType: String, body: String)

    let application: ListeningApplication
    var port: Int { application.port }

    /// Listens on 127.0.0.1:`port` (0: any free port) and returns once it does; a port that
    /// cannot be bound throws the server's error.
    static func start(port: Int, answer: @escaping @Sendable (String) -> Answer) async throws -> HTTPFaceServer {
        let application = try await ListeningApplication.start("the HTTP face", port: port) { listening in
            Application(
                responder: CallbackResponder<BasicRequestContext> { request, _ in
                    let (status, contentType, body) = answer(request.uri.path)
                    return Response(
                        status: HTTPResponse.Status(code: status), headers: [.contentType: contentType],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
                },
                configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: nil, reuseAddress: true),
                onServerRunning: listening,
                logger: Logger(label: "ebb-simulate-http-face", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        return HTTPFaceServer(application: application)
    }

    func stop() async {
        await application.stop()
    }
}
