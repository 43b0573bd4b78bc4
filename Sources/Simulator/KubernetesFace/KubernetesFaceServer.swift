import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes
import NIOPosix
import NIOSSL

/// The Kubernetes API face: an HTTP server on loopback, served by Hummingbird, that serves a
/// `KubernetesWorld` with the API server's semantics, for Ebb's client, the operator and real
/// kubectl.
public final class KubernetesFaceServer: Sendable {
    public let world: KubernetesWorld
    let secure: Bool
    private let application: ListeningApplication

    public var port: Int { application.port }
    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS (the test certificates name localhost).
    public var url: String { secure ? "https://localhost:\(port)" : "http://127.0.0.1:\(port)" }

    private init(world: KubernetesWorld, secure: Bool, application: ListeningApplication) {
        self.world = world
        self.secure = secure
        self.application = application
    }

    /// Listens on 127.0.0.1 (port 0: any free port) and returns once it does. `bookmarkInterval`
    /// is how often open watches that asked for them get a BOOKMARK. With `tls`, it speaks
    /// HTTPS; with `bearerToken`, requests without it are 401 Unauthorized (unless the TLS
    /// context verified a client certificate).
    ///
    /// `users` maps further bearer tokens to the users they authenticate as; a user outside
    /// `system:masters` is held to the RBAC objects stored in the world (403 otherwise).
    public static func start(
        world: KubernetesWorld, port: Int = 0, bookmarkInterval: Double = 5, tls: NIOSSLContext? = nil, bearerToken: String? = nil,
        users: [String: FaceUser] = [:], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> KubernetesFaceServer {
        let address = NIOLockedValueBox("127.0.0.1:\(port)")
        let responder = KubernetesFaceResponder(
            world: world, address: address, bookmarkInterval: bookmarkInterval, bearerToken: bearerToken, users: users,
            clientCertificates: tls != nil)
        let http = HTTP1Channel.Configuration(additionalChannelHandlers: [FaceConnectionHandler()])
        let server = HTTPServerBuilder { respond in
            FaceChildChannel(http: HTTP1Channel(responder: respond, configuration: http), tls: tls)
        }
        let application = try await ListeningApplication.start("the Kubernetes face", port: port) { listening in
            Application(
                responder: CallbackResponder<FaceRequestContext> { request, context in try await responder.respond(to: request, context: context) },
                server: server,
                configuration: ApplicationConfiguration(
                    address: .hostname("127.0.0.1", port: port), serverName: nil, backlog: 128, reuseAddress: true),
                onServerRunning: listening,
                eventLoopGroupProvider: .shared(group),
                logger: Logger(label: "ebb-kubernetes-face", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        address.withLockedValue { $0 = "127.0.0.1:\(application.port)" }
        return KubernetesFaceServer(world: world, secure: tls != nil, application: application)
    }

    public func stop() async {
        await application.stop()
    }
}

/// A request's context: Hummingbird's, and the connection it came on (its TLS handler holds
/// the client certificate; a watch's timers run on its event loop).
struct FaceRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}

/// HTTP/1.1, behind TLS from the given `NIOSSLContext` when there is one (HummingbirdTLS takes a
/// configuration, not a context, and the tests' contexts verify client certificates).
struct FaceChildChannel: ServerChildChannel {
    let http: HTTP1Channel
    let tls: NIOSSLContext?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        guard let tls else { return http.setup(channel: channel, logger: logger) }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
        }.flatMap { http.setup(channel: channel, logger: logger) }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

/// What the face does with a connection beyond HTTP/1.1's keep-alive: it closes it once a
/// response that says `Connection: close` has ended (a watch's end, a refused upload), as the
/// hand-made face did, and closes it when the client stops sending (so an abandoned watch ends
/// at once, not at its next write).
final class FaceConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var closeAfterResponse = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch part {
        case .head(let head):
            closeAfterResponse = head.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterResponse else { return context.write(data, promise: promise) }
            closeAfterResponse = false
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            context.writeAndFlush(data, promise: written)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Answers one request: authentication, injected faults, then the router; a watch streams its
/// events as chunked JSON lines.
struct KubernetesFaceResponder: Sendable {
    /// The largest request body the face reads.
    static let maxBody = 16 * 1024 * 1024

    let world: KubernetesWorld
    let address: NIOLockedValueBox<String>
    let bookmarkInterval: Double
    let bearerToken: String?
    let users: [String: FaceUser]
    let clientCertificates: Bool

    /// The user a request authenticates as: a verified client certificate (mutual TLS) or the
    /// bearer token is the admin, a token of `users` that user; nil is 401.
    func authenticated(_ request: Request, _ context: FaceRequestContext) async -> FaceUser? {
        let authorization = request.headers[.authorization] ?? ""
        if authorization.hasPrefix("Bearer "), let user = users[String(authorization.dropFirst(7))] { return user }
        guard let bearerToken else { return users.isEmpty || authorization.isEmpty ? .admin : nil }
        if authorization == "Bearer \(bearerToken)" { return .admin }
        if clientCertificates, await Self.peerCertificate(of: context.channel) != nil { return .admin }
        return nil
    }

    /// The client certificate the TLS handshake verified; nil without one (or without TLS).
    static func peerCertificate(of channel: any Channel) async -> NIOSSLCertificate? {
        do {
            return try await channel.nioSSL_peerCertificate().get()
        } catch {
            return nil  // no TLS handler on this connection: no certificate
        }
    }

    func respond(to incoming: Request, context: FaceRequestContext) async throws -> Response {
        var incoming = incoming
        let body: [UInt8]
        do {
            var buffer = try await incoming.collectBody(upTo: Self.maxBody)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            return Self.json(413, FaceError(code: 413, reason: "RequestEntityTooLarge", message: "the request is too large").status, close: true)
        }
        guard let user = await authenticated(incoming, context) else {
            return Self.json(401, FaceError(code: 401, reason: "Unauthorized", message: "Unauthorized").status)
        }
        let uri = incoming.head.path ?? "/"
        let userAgent = incoming.headers[.userAgent] ?? ""
        let request = FaceRequest(
            method: incoming.method.rawValue, uri: uri, accept: incoming.headers[.accept] ?? "application/json",
            contentType: incoming.headers[.contentType] ?? "application/json", body: body, user: user, userAgent: userAgent)
        // Injected faults hit Ebb's own clients, not the kubectl a person (or a test) uses.
        // A refused request is not carried out, as the API server refuses it.
        let faults = userAgent.hasPrefix("kubectl") ? nil : world.faults
        let write = ["POST", "PUT", "PATCH", "DELETE"].contains(request.method)
        let log = { (status: Int, injected: Bool) in
            world.requestLog.record(
                FaceRequestLog.Entry(
                    method: request.method, path: uri, status: status, user: user.name, userAgent: request.userAgent, injected: injected,
                    detail: FaceRequestLog.detail(method: request.method, path: request.path, body: request.body)))
        }
        if request.path.hasPrefix("/api"), !request.isWatch,
            let fault = faults?.roll(write ? [.conflict, .throttled, .internalError] : [.throttled, .internalError])
        {
            log(Int(fault.rawValue)!, true)
            return Self.json(Int(fault.rawValue)!, Self.injected(fault).status)
        }
        let router = KubernetesFaceRouter(world: world, address: address.withLockedValue { $0 })
        switch router.answer(request) {
        case let .json(status, document):
            log(status, false)
            return Self.json(status, document)
        case let .warned(status, document, warnings):
            log(status, false)
            return Self.json(status, document, warnings: warnings)
        case .watch(let watch):
            log(200, false)
            return startWatch(watch, on: context.channel, fault: faults?.roll([.gone, .watchDropped]), faults: faults)
        }
    }

    static func injected(_ fault: FaultInjector.Kind) -> FaceError {
        switch fault {
        case .conflict:
            return FaceError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled: the object has been modified (injected fault)")
        case .gone: return FaceError(code: 410, reason: "Expired", message: "too old resource version (injected fault)")
        case .throttled:
            return FaceError(
                code: 429, reason: "TooManyRequests",
                message: "the server has received too many requests and has asked us to try again later (injected fault)")
        default:
            return FaceError(
                code: 500, reason: "InternalError", message: "an error on the server has prevented the request from succeeding (injected fault)")
        }
    }

    static let warningHeader = HTTPField.Name("Warning")!

    static func json(_ status: Int, _ document: JSON, warnings: [String] = [], close: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        for warning in warnings { headers.append(HTTPField(name: warningHeader, value: "299 - \(CustomResourceSchema.goQuote(warning))")) }
        if close { headers[.connection] = "close" }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: document.bytes)))
    }

    /// A watch: 200 with a chunked body of one JSON event per line, until the timeout; then the
    /// connection closes.
    func startWatch(_ watch: FaceWatch, on channel: any Channel, fault: FaultInjector.Kind?, faults: FaultInjector?) -> Response {
        let loop = channel.eventLoop
        let (lines, stream) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .unbounded)
        let asTable = watch.asTable
        let resource = watch.resource
        let world = self.world
        // Events reach a watcher after the world's watch delay (in order), as through a real
        // server's watch cache; a silenced watch delivers nothing and never ends by itself.
        let delivery = WatchDelivery(delay: world.watchDelay)
        let silenced = world.silence
        let send: @Sendable (String, JSON) -> Void = { type, object in
            if silenced.withLockedValue({ $0 }) { return }
            let payload =
                asTable
                ? KubernetesWorld.table(
                    [object], resource, resourceVersion: object.value(at: "metadata.resourceVersion")?.string ?? "", next: nil, now: world.now)
                : object
            var bytes = JSON.object(["type": .string(type), "object": payload]).bytes
            bytes.append(UInt8(ascii: "\n"))
            let line = ByteBuffer(bytes: bytes)
            let deadline = delivery.next(type == "ERROR" ? 0 : nil)
            // Once the stream has ended, a yield is dropped: a real server drops such an event.
            loop.execute {
                if deadline <= .now() {
                    stream.yield(line)
                } else {
                    loop.scheduleTask(deadline: deadline) { stream.yield(line) }
                }
            }
        }
        // After the events already scheduled: the end goes through the loop too.
        let end: @Sendable () -> Void = { loop.execute { stream.finish() } }
        let watchId: Int
        do throws(FaceError) {
            if fault == .gone { throw Self.injected(.gone) }
            watchId = try world.watch(
                watch.resource, namespace: watch.namespace, selector: watch.selector, from: watch.resourceVersion, send: send, close: end)
        } catch {
            // As the API server: the stream opens, carries one ERROR event, and ends.
            send("ERROR", error.status)
            end()
            return Self.watchResponse(lines)
        }
        var timers: [Scheduled<Void>] = []
        if fault == .watchDropped, let faults {
            timers.append(loop.scheduleTask(in: .milliseconds(Int64(200 + faults.fraction() * 5_000))) { stream.finish() })
        }
        timers.append(
            loop.scheduleTask(in: .milliseconds(Int64(watch.timeoutSeconds * 1000))) {
                if silenced.withLockedValue({ $0 }) { return }
                stream.finish()
            })
        var bookmarks: RepeatedTask?
        if watch.bookmarks, !silenced.withLockedValue({ $0 }) {
            let interval = TimeAmount.milliseconds(Int64(bookmarkInterval * 1000))
            bookmarks = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                send(
                    "BOOKMARK",
                    .object([
                        "kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion),
                        "metadata": .object(["resourceVersion": .string(String(world.revision))])
                    ]))
            }
        }
        let cleanup = FaceWatchCleanup(timers: timers, bookmarks: bookmarks)
        stream.onTermination = { _ in
            world.unwatch(watchId)
            cleanup.cancel()
        }
        channel.closeFuture.whenComplete { _ in stream.finish() }
        return Self.watchResponse(lines)
    }

    /// The watch's response: the head at once, then each line as it comes, then the end; the
    /// connection closes after it.
    static func watchResponse(_ lines: AsyncStream<ByteBuffer>) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .connection: "close"],
            body: ResponseBody { writer in
                for await line in lines { try await writer.write(line) }
                try await writer.finish(nil)
            })
    }
}

/// A watch's timers, cancelled when its stream ends.
final class FaceWatchCleanup: Sendable {
    private let timers: NIOLockedValueBox<(timers: [Scheduled<Void>], bookmarks: RepeatedTask?)>

    init(timers: [Scheduled<Void>], bookmarks: RepeatedTask?) {
        self.timers = NIOLockedValueBox((timers, bookmarks))
    }

    func cancel() {
        let (timers, bookmarks) = self.timers.withLockedValue { state in
            defer { state = ([], nil) }
            return state
        }
        for timer in timers { timer.cancel() }
        bookmarks?.cancel()
    }
}

/// When each event of one watch is written: its delay after now, but never before the event
/// before it, so that a delayed stream keeps its order.
final class WatchDelivery: Sendable {
    let delay: ClosedRange<Double>?
    private let last = NIOLockedValueBox<NIODeadline>(.uptimeNanoseconds(0))

    init(delay: ClosedRange<Double>?) { self.delay = delay }

    func next(_ fixed: Double? = nil) -> NIODeadline {
        guard let delay else { return .now() }
        let seconds = fixed ?? Double.random(in: delay)
        return last.withLockedValue { last in
            let wanted = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
            last = max(wanted, last + .nanoseconds(1))
            return last
        }
    }
}
