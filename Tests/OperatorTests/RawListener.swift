import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What a pool's author could put behind an address they name: a TCP listener on 127.0.0.1
/// that keeps every byte it receives. It either relays each connection to a real server (a
/// recording man in the middle, so that the client gets far enough to send what it would send)
/// or answers the first bytes of each connection with fixed ones.
final class RawListener: Sendable {
    enum Mode: Sendable {
        case relay(port: Int)
        case answer([UInt8])
    }

    let channel: any Channel
    let box: NIOLockedValueBox<[UInt8]>

    var port: Int { channel.localAddress?.port ?? 0 }
    var address: String { "127.0.0.1:\(port)" }
    /// Every byte received from clients, over every connection.
    var received: [UInt8] { box.withLockedValue { $0 } }

    func received(contains needle: String) -> Bool {
        let bytes = received
        let target = Array(needle.utf8)
        guard !target.isEmpty, bytes.count >= target.count else { return false }
        return (0...(bytes.count - target.count)).contains { start in bytes[start..<(start + target.count)].elementsEqual(target) }
    }

    private init(channel: any Channel, box: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.box = box
    }

    static func start(_ mode: Mode) async throws -> RawListener {
        let box = NIOLockedValueBox<[UInt8]>([])
        // One loop for both sides of a relay, so that a handler only ever runs on its own.
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let channel = try await ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Side(mode: mode, box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawListener(channel: channel, box: box)
    }

    func stop() async {
        try? await channel.close()
    }

    /// One side of a connection: records what arrives and relays it (or answers it).
    final class Side: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let mode: Mode?
        let box: NIOLockedValueBox<[UInt8]>?
        var peer: (any Channel)?
        var pending: [ByteBuffer] = []
        var answered = false

        init(mode: Mode?, box: NIOLockedValueBox<[UInt8]>?, peer: (any Channel)? = nil) {
            self.mode = mode
            self.box = box
            self.peer = peer
        }

        func channelActive(context: ChannelHandlerContext) {
            guard case .relay(let port)? = mode else { return }
            let client = context.channel
            ClientBootstrap(group: context.eventLoop)
                .channelInitializer { upstream in
                    upstream.eventLoop.makeCompletedFuture {
                        try upstream.pipeline.syncOperations.addHandler(Side(mode: nil, box: nil, peer: client))
                    }
                }
                .connect(host: "127.0.0.1", port: port)
                .whenComplete { result in
                    switch result {
                    case .success(let upstream):
                        self.peer = upstream
                        for buffer in self.pending { upstream.writeAndFlush(buffer, promise: nil) }
                        self.pending = []
                    case .failure:
                        client.close(promise: nil)
                    }
                }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            box?.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
            switch mode {
            case .answer(let bytes)?:
                guard !answered else { return }
                answered = true
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            case .relay?, nil:
                if let peer { peer.writeAndFlush(buffer, promise: nil) } else { pending.append(buffer) }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer?.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
