import KafkaAdmin
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Routes requests by api key to handlers, with the API's own flexible-version rule for the
/// request header, and answers with the generated codecs.
public final class KafkaFaceRouter: Sendable {
    struct Route: Sendable {
        let versions: ClosedRange<Int16>
        let isFlexible: @Sendable (Int16) -> Bool
        let handle: @Sendable (inout WireReader, Int16, Int32) throws(WireError) -> [UInt8]
    }

    private let routes = NIOLockedValueBox<[Int16: Route]>([:])
    private let saslConfig = NIOLockedValueBox<KafkaFaceSASL?>(nil)
    private let faultBox = NIOLockedValueBox<FaultInjector?>(nil)

    /// Faults to inject: requests left unanswered (the client's timeout fires) and, through the
    /// cluster's handlers, NOT_CONTROLLER on admin requests.
    public var faults: FaultInjector? {
        get { faultBox.withLockedValue { $0 } }
        set { faultBox.withLockedValue { $0 = newValue } }
    }

    public init() {}

    /// Requires SASL on every new connection, as a SASL_PLAINTEXT listener does.
    public func requireSASL(_ config: KafkaFaceSASL) {
        saslConfig.withLockedValue { $0 = config }
        // Advertised so that clients negotiate them; answered per connection by the handler.
        register(SaslHandshakeRequest.self) { _, _ in SaslHandshakeResponse(errorCode: 34) }
        register(SaslAuthenticateRequest.self) { _, _ in SaslAuthenticateResponse(errorCode: 34, errorMessage: "already authenticated") }
    }

    var sasl: KafkaFaceSASL? { saslConfig.withLockedValue { $0 } }

    /// Serves `Request` at `versions` (default: every version the codecs know).
    public func register<Request: KafkaRequestBody>(
        _: Request.Type, versions: ClosedRange<Int16>? = nil,
        _ handler: @escaping @Sendable (Request, Int16) -> Request.Response
    ) {
        let route = Route(versions: versions ?? Request.validVersions, isFlexible: Request.isFlexible) {
            reader, version, correlationId throws(WireError) in
            let request = try Request(from: &reader, version: version)
            return KafkaFraming.response(handler(request, version), version: version, correlationId: correlationId)
        }
        routes.withLockedValue { $0[Request.apiKey] = route }
    }

    /// What ApiVersions advertises.
    public var advertised: [ApiVersionsResponse.ApiVersion] {
        routes.withLockedValue { routes in
            routes.keys.sorted().map {
                ApiVersionsResponse.ApiVersion(apiKey: $0, minVersion: routes[$0]!.versions.lowerBound, maxVersion: routes[$0]!.versions.upperBound)
            }
        }
    }

    func route(_ apiKey: Int16) -> Route? { routes.withLockedValue { $0[apiKey] } }

    /// The answer to one request frame, or nil to close the connection (an API nobody serves,
    /// as a Kafka broker does).
    func answer(_ payload: [UInt8]) throws(WireError) -> [UInt8]? {
        var peek = WireReader(payload)
        let apiKey = try peek.readInt16("RequestHeader.requestApiKey")
        let version = try peek.readInt16("RequestHeader.requestApiVersion")
        guard let route = route(apiKey) else { return nil }
        var (header, body) = try KafkaFraming.readRequestHeader(payload) { _, v in route.isFlexible(v) }
        guard route.versions.contains(version) else {
            if apiKey == ApiVersionsRequest.apiKey {
                // As Kafka does: UNSUPPORTED_VERSION, answered in v0 with the supported versions.
                return KafkaFraming.response(ApiVersionsResponse(errorCode: 35, apiKeys: advertised), version: 0, correlationId: header.correlationId)
            }
            return nil
        }
        return try route.handle(&body, version, header.correlationId)
    }
}

/// A Kafka protocol server on loopback, answering from a router. Started and stopped by its owner.
public final class KafkaFaceServer: Sendable {
    public let router: KafkaFaceRouter
    private let channel: any Channel

    public var port: Int { channel.localAddress?.port ?? 0 }
    public var address: String { "127.0.0.1:\(port)" }

    private init(router: KafkaFaceRouter, channel: any Channel) {
        self.router = router
        self.channel = channel
    }

    /// Listens on 127.0.0.1 (port 0: any free port), over TLS when `tls` is given.
    public static func start(
        router: KafkaFaceRouter, port: Int = 0, tls: NIOSSLContext? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> KafkaFaceServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(KafkaFaceHandler(router: router))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        return KafkaFaceServer(router: router, channel: channel)
    }

    public func stop() async {
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // Stopped before.
        } catch {
            // The listening socket is released either way.
        }
    }
}

final class KafkaFaceHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let router: KafkaFaceRouter
    private var decoder = KafkaFrameDecoder()
    private var sasl: KafkaFaceSASLSession?

    init(router: KafkaFaceRouter) {
        self.router = router
        self.sasl = router.sasl.map { KafkaFaceSASLSession(config: $0) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        decoder.append(unwrapInboundIn(data).readableBytesView)
        do {
            while let payload = try decoder.next() {
                if var session = sasl, !session.isAuthenticated {
                    var peek = WireReader(payload)
                    let apiKey = try peek.readInt16("RequestHeader.requestApiKey")
                    let answer = try session.answer(payload, apiKey: apiKey, router: router)
                    sasl = session
                    if case .some(let bytes?) = answer {
                        let written = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
                        if case .failed = session.step {
                            // As Kafka: the error is sent, then the connection is closed.
                            let channel = context.channel
                            written.whenComplete { _ in channel.close(promise: nil) }
                            return
                        }
                        continue
                    }
                }
                // An injected timeout: the request is read and never answered.
                if router.faults?.roll([.kafkaTimeout]) != nil { continue }
                guard let answer = try router.answer(payload) else {
                    context.close(promise: nil)
                    return
                }
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: answer)), promise: nil)
            }
            context.flush()
        } catch {
            // Garbage: a broker drops the connection.
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
