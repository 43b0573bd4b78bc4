import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A peer that a pool's author can name as a bootstrap server: to the first bytes of any
/// request it answers with a frame whose size field announces `announcedBytes` (255 MiB by
/// default, just under Kafka's own 256 MiB cap) and then sends that many bytes, as fast as the
/// client reads, to take a client's memory. Listens on 127.0.0.1.
public final class HostileKafkaBroker: Sendable {
    let channel: any Channel
    let sent: NIOLockedValueBox<Int>
    let connections: NIOLockedValueBox<Int>

    public var port: Int { channel.localAddress?.port ?? 0 }
    public var address: String { "127.0.0.1:\(port)" }
    /// Frame bytes written so far, over every connection.
    public var bytesSent: Int { sent.withLockedValue { $0 } }
    /// Connections that got the oversized frame.
    public var hostileAnswers: Int { connections.withLockedValue { $0 } }

    private init(channel: any Channel, sent: NIOLockedValueBox<Int>, connections: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.sent = sent
        self.connections = connections
    }

    /// `holding`: how long each connection waits before it answers, so that a client's memory
    /// can be sampled before and while the frame arrives (a refusal takes a millisecond).
    public static func start(announcing announcedBytes: Int32 = 255 << 20, holding: TimeAmount = .zero) async throws -> HostileKafkaBroker {
        let sent = NIOLockedValueBox(0)
        let connections = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(announced: announcedBytes, holding: holding, sent: sent, connections: connections))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HostileKafkaBroker(channel: channel, sent: sent, connections: connections)
    }

    public func stop() async {
        try? await channel.close()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let announced: Int32
        let holding: TimeAmount
        let sent: NIOLockedValueBox<Int>
        let connections: NIOLockedValueBox<Int>
        var answered = false
        static let chunk = [UInt8](repeating: 0x41, count: 64 * 1024)

        init(announced: Int32, holding: TimeAmount, sent: NIOLockedValueBox<Int>, connections: NIOLockedValueBox<Int>) {
            self.announced = announced
            self.holding = holding
            self.sent = sent
            self.connections = connections
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else { return }
            answered = true
            connections.withLockedValue { $0 += 1 }
            let channel = context.channel
            let (announced, sent) = (announced, sent)
            channel.eventLoop.scheduleTask(in: holding) {
                var header = channel.allocator.buffer(capacity: 8)
                header.writeInteger(announced)
                // Any correlation id will do: the size alone must be enough to refuse the frame.
                header.writeInteger(Int32(0))
                channel.writeAndFlush(header, promise: nil)
                Self.pump(channel: channel, remaining: Int(announced) - 4, sent: sent)
            }
        }

        /// One chunk, then the next once the kernel took it.
        static func pump(channel: any Channel, remaining: Int, sent: NIOLockedValueBox<Int>) {
            guard remaining > 0, channel.isActive else { return }
            let count = min(remaining, chunk.count)
            channel.writeAndFlush(channel.allocator.buffer(bytes: chunk[..<count])).whenComplete { result in
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
