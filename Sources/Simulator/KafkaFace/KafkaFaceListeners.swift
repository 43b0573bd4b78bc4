import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One Kafka face listener per broker, each answering as that broker and advertised at its
/// own loopback port, so that clients route to leaders and coordinators as on a real
/// cluster, and a broker can vanish by closing its listener.
public final class KafkaFaceListeners: Sendable {
    public let cluster: SimulatedKafkaCluster
    let sasl: KafkaFaceSASL?
    let group: any EventLoopGroup
    private let servers = NIOLockedValueBox<[Int32: KafkaFaceServer]>([:])

    init(cluster: SimulatedKafkaCluster, sasl: KafkaFaceSASL?, group: any EventLoopGroup) {
        self.cluster = cluster
        self.sasl = sasl
        self.group = group
    }

    /// Listeners for every broker of `cluster` now.
    public static func start(
        _ cluster: SimulatedKafkaCluster, sasl: KafkaFaceSASL? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> KafkaFaceListeners {
        let listeners = KafkaFaceListeners(cluster: cluster, sasl: sasl, group: group)
        do {
            for id in cluster.brokerIds { try await listeners.start(broker: id) }
        } catch {
            await listeners.stopAll()
            throw error
        }
        return listeners
    }

    /// Starts broker `id`'s listener (a new or returning broker).
    public func start(broker id: Int32) async throws {
        let router = cluster.router(node: id)
        if let sasl { router.requireSASL(sasl) }
        let server = try await KafkaFaceServer.start(router: router, group: group)
        cluster.advertise(broker: id, host: "127.0.0.1", port: server.port)
        let previous = servers.withLockedValue { servers in
            defer { servers[id] = server }
            return servers[id]
        }
        await previous?.stop()
    }

    /// Closes broker `id`'s listener: its connections drop, as when a broker process dies.
    public func stop(broker id: Int32) async {
        await servers.withLockedValue { $0.removeValue(forKey: id) }?.stop()
    }

    public func stopAll() async {
        let all = servers.withLockedValue { servers in
            defer { servers.removeAll() }
            return Array(servers.values)
        }
        for server in all { await server.stop() }
    }

    /// Every listener's address, comma-separated, for `--bootstrap`.
    public var bootstrap: String {
        servers.withLockedValue { servers in servers.keys.sorted().map { servers[$0]!.address }.joined(separator: ",") }
    }

    public func address(of broker: Int32) -> String? { servers.withLockedValue { $0[broker]?.address } }
}
