import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A peer that answers with a body that does not end (or says it is 1 GiB long): what a
/// hostile Prometheus address or API server does to take a client's memory. Requests that
/// `normal` answers (by path and query) get that JSON instead, so that a client can get past
/// its first steps. Listens on 127.0.0.1; writes only as fast as the client reads.
public final class HostileHTTPServer: Sendable {
    public enum Body: Sendable {
        /// Chunked bytes without a newline, until the client goes away.
        case endless
        /// `Content-Length` of this many bytes, then that many bytes.
        case declared(Int)
    }

    let channel: any Channel
    let sent: NIOLockedValueBox<Int>
    let requests: NIOLockedValueBox<Int>

    public var port: Int { channel.localAddress?.port ?? 0 }
    public var url: String { "http://127.0.0.1:\(port)" }
    /// Body bytes written so far, over every connection.
    public var bytesSent: Int { sent.withLockedValue { $0 } }
    /// Requests answered with the hostile body.
    public var hostileAnswers: Int { requests.withLockedValue { $0 } }

    private init(channel: any Channel, sent: NIOLockedValueBox<Int>, requests: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.sent = sent
        self.requests = requests
    }

    public static func start(_ body: Body, normal: @escaping @Sendable (String) -> String? = { _ in nil }) async throws -> HostileHTTPServer {
        let sent = NIOLockedValueBox(0)
        let requests = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(body: body, normal: normal, sent: sent, requests: requests))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HostileHTTPServer(channel: channel, sent: sent, requests: requests)
    }

    public func stop() async {
        try? await channel.close()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let body: Body
        let normal: @Sendable (String) -> String?
        let sent: NIOLockedValueBox<Int>
        let requests: NIOLockedValueBox<Int>
        var uri = ""
        static let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)

        init(body: Body, normal: @escaping @Sendable (String) -> String?, sent: NIOLockedValueBox<Int>, requests: NIOLockedValueBox<Int>) {
            self.body = body
            self.normal = normal
            self.sent = sent
            self.requests = requests
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): uri = head.uri
            case .body: break
            case .end:
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                if let answer = normal(uri) {
                    headers.add(name: "Content-Length", value: String(answer.utf8.count))
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: answer)))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                    return
                }
                requests.withLockedValue { $0 += 1 }
                var remaining = Int.max
                if case .declared(let length) = body {
                    headers.add(name: "Content-Length", value: String(length))
                    remaining = length
                } else {
                    headers.add(name: "Transfer-Encoding", value: "chunked")
                }
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                Self.pump(channel: context.channel, remaining: remaining, sent: sent)
            }
        }

        /// One chunk, then the next once the kernel took it (from the event loop, not from the
        /// write's callback, so that a fast reader does not deepen the stack).
        static func pump(channel: any Channel, remaining: Int, sent: NIOLockedValueBox<Int>) {
            guard remaining > 0, channel.isActive else { return }
            let count = min(remaining, chunk.count)
            let part = HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: chunk[..<count])))
            channel.writeAndFlush(part).whenComplete { result in
                guard case .success = result else { return }
                sent.withLockedValue { $0 += count }
                channel.eventLoop.execute { pump(channel: channel, remaining: remaining - count, sent: sent) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
