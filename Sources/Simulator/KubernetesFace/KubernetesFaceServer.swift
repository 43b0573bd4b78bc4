import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The Kubernetes API face: an HTTP server on loopback that serves a `KubernetesWorld` with
/// the API server's semantics, for Ebb's client, the operator and real kubectl.
public final class KubernetesFaceServer: Sendable {
    public let world: KubernetesWorld
    private let channel: any Channel
    let secure: Bool

    public var port: Int { channel.localAddress?.port ?? 0 }
    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS (the test certificates name localhost).
    public var url: String { secure ? "https://localhost:\(port)" : "http://127.0.0.1:\(port)" }

    private init(world: KubernetesWorld, channel: any Channel, secure: Bool) {
        self.world = world
        self.channel = channel
        self.secure = secure
    }

    /// Listens on 127.0.0.1 (port 0: any free port). `bookmarkInterval` is how often open
    /// watches that asked for them get a BOOKMARK. With `tls`, it speaks HTTPS; with
    /// `bearerToken`, requests without it are 401 Unauthorized (unless the TLS context
    /// verified a client certificate).
    ///
    /// `users` maps further bearer tokens to the users they authenticate as; a user outside
    /// `system:masters` is held to the RBAC objects stored in the world (403 otherwise).
    public static func start(
        world: KubernetesWorld, port: Int = 0, bookmarkInterval: Double = 5, tls: NIOSSLContext? = nil, bearerToken: String? = nil,
        users: [String: FaceUser] = [:], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> KubernetesFaceServer {
        let address = NIOLockedValueBox("127.0.0.1:\(port)")
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    let router = KubernetesFaceRouter(world: world, address: address.withLockedValue { $0 })
                    try channel.pipeline.syncOperations.addHandler(
                        KubernetesFaceHandler(
                            router: router, bookmarkInterval: bookmarkInterval, bearerToken: bearerToken, users: users, clientCertificates: tls != nil
                        ))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        address.withLockedValue { $0 = "127.0.0.1:\(channel.localAddress?.port ?? port)" }
        return KubernetesFaceServer(world: world, channel: channel, secure: tls != nil)
    }

    public func stop() async {
        try? await channel.close()
    }
}

final class KubernetesFaceHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: KubernetesFaceRouter
    let bookmarkInterval: Double
    let bearerToken: String?
    let users: [String: FaceUser]
    let clientCertificates: Bool
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var watchId: Int?
    /// Set once a watch's response has ended: an event whose delivery delay runs past the end is
    /// dropped, as a real server drops it, instead of being written after the last chunk.
    private var watchEnded = NIOLockedValueBox(false)
    private var timers: [Scheduled<Void>] = []
    private var bookmarkTask: RepeatedTask?

    init(router: KubernetesFaceRouter, bookmarkInterval: Double, bearerToken: String?, users: [String: FaceUser], clientCertificates: Bool) {
        self.router = router
        self.bookmarkInterval = bookmarkInterval
        self.bearerToken = bearerToken
        self.users = users
        self.clientCertificates = clientCertificates
    }

    /// The user a request authenticates as: a verified client certificate (mutual TLS) or the
    /// bearer token is the admin, a token of `users` that user; nil is 401.
    func authenticated(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) -> FaceUser? {
        let authorization = head.headers.first(name: "Authorization") ?? ""
        if authorization.hasPrefix("Bearer "), let user = users[String(authorization.dropFirst(7))] { return user }
        guard let bearerToken else { return users.isEmpty || authorization.isEmpty ? .admin : nil }
        if authorization == "Bearer \(bearerToken)" { return .admin }
        if clientCertificates, let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            handler.peerCertificate != nil
        {
            return .admin
        }
        return nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
            if body.count > 16 * 1024 * 1024 {
                respond(
                    context, 413, FaceError(code: 413, reason: "RequestEntityTooLarge", message: "the request is too large").status, keepAlive: false)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            guard let user = authenticated(context, head) else {
                respond(context, 401, FaceError(code: 401, reason: "Unauthorized", message: "Unauthorized").status, keepAlive: head.isKeepAlive)
                return
            }
            let request = FaceRequest(
                method: head.method.rawValue, uri: head.uri, accept: head.headers.first(name: "Accept") ?? "application/json",
                contentType: head.headers.first(name: "Content-Type") ?? "application/json", body: body, user: user,
                userAgent: head.headers.first(name: "User-Agent") ?? "")
            // Injected faults hit Ebb's own clients, not the kubectl a person (or a test) uses.
            // A refused request is not carried out, as the API server refuses it.
            let faults = (head.headers.first(name: "User-Agent") ?? "").hasPrefix("kubectl") ? nil : router.world.faults
            let write = ["POST", "PUT", "PATCH", "DELETE"].contains(request.method)
            let log = { (status: Int, injected: Bool) in
                self.router.world.requestLog.record(
                    FaceRequestLog.Entry(
                        method: request.method, path: head.uri, status: status, user: user.name, userAgent: request.userAgent, injected: injected,
                        detail: FaceRequestLog.detail(method: request.method, path: request.path, body: request.body)))
            }
            if request.path.hasPrefix("/api"), request.query["watch"] != "true", request.query["watch"] != "1",
                let fault = faults?.roll(write ? [.conflict, .throttled, .internalError] : [.throttled, .internalError])
            {
                log(Int(fault.rawValue)!, true)
                respond(context, Int(fault.rawValue)!, Self.injected(fault).status, keepAlive: head.isKeepAlive)
                return
            }
            switch router.answer(request) {
            case let .json(status, document):
                log(status, false)
                respond(context, status, document, keepAlive: head.isKeepAlive)
            case let .warned(status, document, warnings):
                log(status, false)
                respond(context, status, document, keepAlive: head.isKeepAlive, warnings: warnings)
            case .watch(let watch):
                log(200, false)
                startWatch(context, watch, fault: faults?.roll([.gone, .watchDropped]), faults: faults)
            }
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

    func respond(_ context: ChannelHandlerContext, _ status: Int, _ document: JSON, keepAlive: Bool, warnings: [String] = []) {
        let bytes = document.bytes
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        for warning in warnings { headers.add(name: "Warning", value: "299 - \(CustomResourceSchema.goQuote(warning))") }
        headers.add(name: "Content-Length", value: String(bytes.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))),
            promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// A watch: 200 with a chunked body of one JSON event per line, until the timeout.
    func startWatch(_ context: ChannelHandlerContext, _ watch: FaceWatch, fault: FaultInjector.Kind? = nil, faults: FaultInjector? = nil) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let loop = context.eventLoop
        let channel = context.channel
        let asTable = watch.asTable
        let resource = watch.resource
        let world = router.world
        // Events reach a watcher after the world's watch delay (in order), as through a real
        // server's watch cache; a silenced watch delivers nothing and never ends by itself.
        let delivery = WatchDelivery(delay: world.watchDelay)
        let silenced = world.silence
        let ended = NIOLockedValueBox(false)
        watchEnded = ended
        let write: @Sendable ([UInt8]) -> Void = { line in
            guard !ended.withLockedValue({ $0 }) else { return }
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: line))), promise: nil)
        }
        let send: @Sendable (String, JSON) -> Void = { type, object in
            if silenced.withLockedValue({ $0 }) { return }
            let payload =
                asTable
                ? KubernetesWorld.table(
                    [object], resource, resourceVersion: object.value(at: "metadata.resourceVersion")?.string ?? "", next: nil, now: world.now)
                : object
            var bytes = JSON.object(["type": .string(type), "object": payload]).bytes
            bytes.append(UInt8(ascii: "\n"))
            let line = bytes
            let deadline = delivery.next(type == "ERROR" ? 0 : nil)
            loop.execute {
                if deadline <= .now() {
                    write(line)
                } else {
                    loop.scheduleTask(deadline: deadline) { write(line) }
                }
            }
        }
        let loopBound = NIOLoopBound(self, eventLoop: loop)
        let close: @Sendable () -> Void = {
            loop.execute { loopBound.value.endWatch(channel) }
        }
        do throws(FaceError) {
            if fault == .gone { throw Self.injected(.gone) }
            watchId = try router.world.watch(
                watch.resource, namespace: watch.namespace, selector: watch.selector, from: watch.resourceVersion, send: send, close: close)
        } catch {
            // As the API server: the stream opens, carries one ERROR event, and ends.
            send("ERROR", error.status)
            loop.execute {
                ended.withLockedValue { $0 = true }
                channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
            }
            return
        }
        if fault == .watchDropped, let faults {
            timers.append(loop.scheduleTask(in: .milliseconds(Int64(200 + faults.fraction() * 5_000))) { loopBound.value.endWatch(channel) })
        }
        timers.append(
            loop.scheduleTask(in: .milliseconds(Int64(watch.timeoutSeconds * 1000))) {
                if silenced.withLockedValue({ $0 }) { return }
                loopBound.value.endWatch(channel)
            })
        if watch.bookmarks, !silenced.withLockedValue({ $0 }) {
            bookmarkTask = loop.scheduleRepeatedTask(
                initialDelay: .milliseconds(Int64(bookmarkInterval * 1000)), delay: .milliseconds(Int64(bookmarkInterval * 1000))
            ) { _ in
                let version = String(world.revision)
                send(
                    "BOOKMARK",
                    .object([
                        "kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion),
                        "metadata": .object(["resourceVersion": .string(version)])
                    ]))
            }
        }
    }

    func endWatch(_ channel: any Channel) {
        guard watchId != nil else { return }
        stopWatch()
        watchEnded.withLockedValue { $0 = true }
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
    }

    func stopWatch() {
        if let watchId { router.world.unwatch(watchId) }
        watchId = nil
        for timer in timers { timer.cancel() }
        timers.removeAll()
        bookmarkTask?.cancel()
        bookmarkTask = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopWatch()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stopWatch()
        context.close(promise: nil)
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
