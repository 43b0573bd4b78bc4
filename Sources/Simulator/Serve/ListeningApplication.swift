import Hummingbird
import NIOCore

/// A Hummingbird application that a face runs in the background from `start` until `stop`:
/// `start` returns once it listens, with the port it bound (port 0: any free port), or throws
/// the error that kept it from listening.
struct ListeningApplication: Sendable {
    struct NotListening: Error, CustomStringConvertible {
        let what: String
        let port: Int
        var description: String { "\(what) on 127.0.0.1:\(port) stopped before it listened" }
    }

    let port: Int
    /// The application's run; `stop` cancels it and waits for it to end.
    private let running: Task<Void, any Error>

    /// `make` builds the application around the callback that announces its listening channel.
    static func start<App: ApplicationProtocol & Sendable>(
        _ what: String, port: Int, _ make: (@escaping @Sendable (any Channel) async -> Void) -> App
    ) async throws -> ListeningApplication {
        let (bound, announce) = AsyncStream.makeStream(of: Int.self)
        let application = make { channel in
            announce.yield(channel.localAddress?.port ?? port)
            announce.finish()
        }
        let running = Task {
            defer { announce.finish() }
            try await application.run()
        }
        for await listening in bound { return ListeningApplication(port: listening, running: running) }
        try await running.value
        throw NotListening(what: what, port: port)
    }

    func stop() async {
        running.cancel()
        _ = await running.result
    }
}
