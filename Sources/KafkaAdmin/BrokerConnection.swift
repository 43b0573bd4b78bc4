import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a Kafka request failed: which API, which broker, and what went wrong.
public enum KafkaClientError: Error, Sendable, CustomStringConvertible {
    case connect(broker: String, cause: String)
    case timeout(api: String, broker: String, seconds: Double)
    case connectionClosed(api: String, broker: String)
    case decode(api: String, broker: String, cause: WireError)
    case protocolViolation(broker: String, detail: String)
    case kafka(api: String, broker: String, code: KafkaErrorCode, message: String?)
    case unsupported(broker: String, cause: VersionNegotiation.Unsupported)
    case noBroker(detail: String)
    case authentication(broker: String, mechanism: String, detail: String)
    case tls(broker: String, cause: String)
    /// An answer that decodes but cannot be true (a negative offset, a committed offset below -1):
    /// refused before anything computes with it.
    case malformed(api: String, broker: String, detail: String)

    public var description: String {
        switch self {
        case let .connect(broker, cause): return "connect to \(broker): \(cause)"
        case let .timeout(api, broker, seconds): return "\(api) to \(broker): no answer within \(seconds) s"
        case let .connectionClosed(api, broker): return "\(api) to \(broker): the connection closed before the answer"
        case let .decode(api, broker, cause): return "\(api) from \(broker): malformed answer: \(cause)"
        case let .protocolViolation(broker, detail): return "\(broker): \(detail)"
        case let .kafka(api, broker, code, message): return "\(api) on \(broker): \(code)\(message.map { ": \($0)" } ?? "")"
        case let .unsupported(broker, cause): return "\(broker): \(cause)"
        case let .noBroker(detail): return detail
        case let .authentication(broker, mechanism, detail): return "SASL \(mechanism) with \(broker): \(detail)"
        case let .tls(broker, cause): return "TLS with \(broker): \(cause)"
        case let .malformed(api, broker, detail): return "\(api) from \(broker): malformed answer: \(detail)"
        }
    }

    /// Worth retrying after a backoff.
    public var isRetriable: Bool {
        switch self {
        case .timeout, .connectionClosed, .connect: return true
        case let .kafka(_, _, code, _): return code.isRetriable
        default: return false
        }
    }
}

/// One TCP connection to one broker. Requests are pipelined: each carries a correlation id and
/// its answer is matched by it, whatever the order; each has its own timeout.
public final class BrokerConnection: Sendable {
    public let broker: String
    let channel: any Channel
    let clientId: String?
    /// Why the connection ended, when a TLS failure ended it: reported by every request after.
    let failure: NIOLockedValueBox<KafkaClientError?>
    private let nextCorrelationId = NIOLockedValueBox<Int32>(1)

    init(broker: String, channel: any Channel, clientId: String?, failure: NIOLockedValueBox<KafkaClientError?>) {
        self.failure = failure
        self.broker = broker
        self.channel = channel
        self.clientId = clientId
    }

    /// Connects to `host:port`, over TLS when `tls` is given (verifying the certificate
    /// against `serverName`, by default `host`).
    public static func connect(
        host: String, port: Int, clientId: String?, timeout: TimeAmount = .seconds(10),
        maxFrameSize: Int = KafkaFrameDecoder.defaultResponseLimit, tls: NIOSSLContext? = nil, serverName: String? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(KafkaClientError) -> BrokerConnection {
        let broker = "\(host):\(port)"
        let name = ClientTLS.sniName(host: host, explicit: serverName)
        let failure = NIOLockedValueBox<KafkaClientError?>(nil)
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: name))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            KafkaClientHandler(broker: broker, maxFrameSize: maxFrameSize, failure: failure))
                    }
                }
                .connect(host: host, port: port).get()
            return BrokerConnection(broker: broker, channel: channel, clientId: clientId, failure: failure)
        } catch {
            throw .connect(broker: broker, cause: Self.explain(connectFailure: error, timeout: timeout))
        }
    }

    /// A connect failure in words a user can act on (NIO's own text names errno values and
    /// internal types); anything not recognised keeps NIO's description.
    static func explain(connectFailure error: any Error, timeout: TimeAmount) -> String {
        if let failure = error as? NIOConnectionError {
            if failure.dnsAError != nil || failure.dnsAAAAError != nil, failure.connectionErrors.isEmpty {
                return "the host name does not resolve"
            }
            if let first = failure.connectionErrors.first?.error { return explain(connectFailure: first, timeout: timeout) }
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return "no answer within \(Double(timeout.nanoseconds) / 1e9) s (is the address reachable?)"
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused: nothing listens there (is the broker running, and is this its listener's port?)"
            case EHOSTUNREACH, ENETUNREACH: return "the host cannot be reached from here"
            case ETIMEDOUT: return "no answer within \(Double(timeout.nanoseconds) / 1e9) s (is the address reachable?)"
            default: break
            }
        }
        return "\(error)"
    }

    /// Sends `request` at `version` and waits for its answer.
    public func send<Request: KafkaRequestBody>(
        _ request: Request, version: Int16, timeout: TimeAmount = .seconds(30)
    ) async throws(KafkaClientError) -> Request.Response {
        let api = String(describing: Request.self)
        let correlationId = nextCorrelationId.withLockedValue { value -> Int32 in
            defer { value = value == Int32.max ? 1 : value + 1 }
            return value
        }
        let frame = KafkaFraming.request(request, version: version, correlationId: correlationId, clientId: clientId)
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let pending = KafkaClientHandler.Pending(
            correlationId: correlationId, api: api, apiKey: Request.apiKey, flexible: Request.Response.isFlexible(version),
            frame: frame, timeout: timeout, promise: promise)
        // A write that never reaches the handler (the channel closed meanwhile) would leave the
        // answer's promise pending forever, with no timer: fail it with the write.
        let written = channel.eventLoop.makePromise(of: Void.self)
        let broker = self.broker
        let registered = pending.registered
        let failure = self.failure
        written.futureResult.whenFailure { error in
            // Once the handler holds the request, it fails it itself (with the TLS error, the
            // closed connection or the timeout): only a write that never reached it fails here.
            guard !registered.withLockedValue({ $0 }) else { return }
            promise.fail(failure.withLockedValue { $0 } ?? KafkaClientHandler.classify(error, api: api, broker: broker))
        }
        channel.writeAndFlush(pending, promise: written)
        let body: [UInt8]
        do {
            body = try await promise.futureResult.get()
        } catch let error as KafkaClientError {
            throw error
        } catch {
            throw .connectionClosed(api: api, broker: broker)
        }
        do {
            return try Request.Response.decode(body, version: version)
        } catch {
            throw .decode(api: api, broker: broker, cause: error)
        }
    }

    public func close() async {
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // The broker or a failed read closed it first.
        } catch {
            // The socket is released either way; there is nothing to retry.
        }
    }

    public var isActive: Bool { channel.isActive }
}

/// Frames requests out and answers in, matching answers to requests by correlation id.
final class KafkaClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Pending
    typealias OutboundOut = ByteBuffer

    struct Pending {
        let correlationId: Int32
        let api: String
        let apiKey: Int16
        let flexible: Bool
        let frame: [UInt8]
        let timeout: TimeAmount
        let promise: EventLoopPromise<[UInt8]>
        /// Set when the handler has taken the request in.
        let registered = NIOLockedValueBox(false)
    }

    private let broker: String
    private var decoder: KafkaFrameDecoder
    private var inflight: [Int32: (pending: Pending, timer: Scheduled<Void>)] = [:]

    let failure: NIOLockedValueBox<KafkaClientError?>

    init(broker: String, maxFrameSize: Int, failure: NIOLockedValueBox<KafkaClientError?>) {
        self.failure = failure
        self.broker = broker
        self.decoder = KafkaFrameDecoder(maxFrameSize: maxFrameSize)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let pending = unwrapOutboundIn(data)
        guard context.channel.isActive else {
            pending.promise.fail(tlsFailure ?? KafkaClientError.connectionClosed(api: pending.api, broker: broker))
            return
        }
        let correlationId = pending.correlationId
        let seconds = Double(pending.timeout.nanoseconds) / 1e9
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: pending.timeout) {
            loopBound.value.expire(correlationId, seconds: seconds)
        }
        inflight[correlationId] = (pending, timer)
        pending.registered.withLockedValue { $0 = true }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: pending.frame)), promise: promise)
    }

    private func expire(_ correlationId: Int32, seconds: Double) {
        guard let entry = inflight.removeValue(forKey: correlationId) else { return }
        entry.pending.promise.fail(KafkaClientError.timeout(api: entry.pending.api, broker: broker, seconds: seconds))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            // An answer larger than the limit is refused as soon as its size is read: its bytes
            // are dropped, never buffered.
            try decoder.feed(buffer.readableBytesView)
            while let payload = try decoder.next() {
                var peek = WireReader(payload)
                let correlationId = try peek.readInt32("ResponseHeader.correlationId")
                guard let entry = inflight.removeValue(forKey: correlationId) else {
                    // An answer to nothing we asked (or to a request that timed out): the
                    // stream may be out of step; drop the connection rather than guess.
                    throw KafkaClientError.protocolViolation(broker: broker, detail: "answer with unknown correlation id \(correlationId)")
                }
                entry.timer.cancel()
                do {
                    var (_, body) = try KafkaFraming.readResponse(payload, apiKey: entry.pending.apiKey, flexible: entry.pending.flexible)
                    entry.pending.promise.succeed(body.remainingBytes())
                } catch {
                    entry.pending.promise.fail(KafkaClientError.decode(api: entry.pending.api, broker: broker, cause: error))
                }
            }
        } catch let error as KafkaFrameDecoder.FrameError {
            failAll(KafkaClientError.protocolViolation(broker: broker, detail: error.description))
            context.close(promise: nil)
        } catch {
            failAll(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for (_, entry) in inflight {
            entry.timer.cancel()
            entry.pending.promise.fail(tlsFailure ?? KafkaClientError.connectionClosed(api: entry.pending.api, broker: broker))
        }
        inflight.removeAll()
        context.fireChannelInactive()
    }

    /// A failed write or channel error as the client reports it: TLS failures by name.
    static func classify(_ error: any Error, api: String, broker: String) -> KafkaClientError {
        if let known = error as? KafkaClientError { return known }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError { return .tls(broker: broker, cause: "\(error)") }
        return .connectionClosed(api: api, broker: broker)
    }

    /// The TLS failure that ended the connection, if one did.
    private var tlsFailure: KafkaClientError?

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            let tls = KafkaClientError.tls(broker: broker, cause: "\(error)")
            tlsFailure = tls
            failure.withLockedValue { $0 = tls }
            failAll(tls)
        } else {
            failAll(KafkaClientError.protocolViolation(broker: broker, detail: "\(error)"))
        }
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        for (_, entry) in inflight {
            entry.timer.cancel()
            entry.pending.promise.fail(error)
        }
        inflight.removeAll()
    }
}

extension WireReader {
    /// The bytes not read yet.
    public mutating func remainingBytes() -> [UInt8] {
        let rest = Array(bytes[offset...])
        return rest
    }
}
