import BrokerScaling
import EbbTestSupport
import Foundation
import KubernetesClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Operator
import Testing

/// An API server that answers lists but, asked to watch, sends the response head and then
/// nothing, ever, without closing: what a server stopping gracefully did to real watches.
final class SilentWatchServer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let watches: NIOLockedValueBox<Int>
    init(watches: NIOLockedValueBox<Int>) { self.watches = watches }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        if head.uri.contains("watch=true") {
            watches.withLockedValue { $0 += 1 }
            headers.add(name: "Transfer-Encoding", value: "chunked")
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            return
        }
        let body = #"{"kind":"BrokerPoolList","apiVersion":"ebb.io/v1alpha1","metadata":{"resourceVersion":"42"},"items":[]}"#
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    static func start(watches: NIOLockedValueBox<Int>) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(SilentWatchServer(watches: watches))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }
}

struct SilentWatchTests {
    @Test func aWatchSilentPastItsTimeoutIsRestarted() async throws {
        let watches = NIOLockedValueBox(0)
        let server = try await SilentWatchServer.start(watches: watches)
        let client = try Kubernetes(
            try KubernetesConfiguration(server: "http://127.0.0.1:\(server.localAddress?.port ?? 0)"), timeout: TestTime.scaled(.seconds(5)))
        var logger = Logger(label: "silent")
        logger.logLevel = .critical
        var reflector = Reflector(client: client, namespace: nil, store: Store<BrokerPool>(), logger: logger)
        reflector.watchTimeout = 1
        reflector.silenceMargin = 0.5
        let running = Task { [reflector] in await reflector.run { _ in } }
        // 1.5 s of silence ends each watch; a few seconds see at least two given up. Without
        // the rule the first watch waits for ever.
        // Wait for the third watch too: after the second give-up it is opened after a backoff.
        try await ClientAgainstFaceTests.eventually({ reflector.counters.silentRestarts >= 2 && watches.withLockedValue { $0 } >= 3 }, seconds: 60)
        running.cancel()
        await running.value
        #expect(watches.withLockedValue { $0 } >= 3, "watched again after each silent watch")
        #expect(reflector.counters.lists == 1, "resumed from the last resourceVersion, no relist")
        try await server.close()
    }
}
