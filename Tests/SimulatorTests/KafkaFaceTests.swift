import Foundation
import KafkaAdmin
import NIOCore
import NIOPosix
import Simulator
import Testing

/// Ebb's Kafka client against the simulator's Kafka face, over a real socket on loopback.
struct KafkaFaceTests {
    static func cluster() -> SimulatedKafkaCluster {
        let cluster = SimulatedKafkaCluster(moveSeconds: 1.5)
        for id in Int32(1000)...1002 { cluster.addBroker(.init(id: id, rack: "rack-\(id % 3)")) }
        cluster.createTopic("orders", replicas: [[1000], [1001], [1002], [1000]])
        cluster.createTopic("clickstream", replicas: [[1001], [1002]])
        return cluster
    }

    func withFace<T>(
        _ cluster: SimulatedKafkaCluster, sasl: KafkaFaceSASL? = nil, credentials: SASLCredentials? = nil,
        _ body: (KafkaFaceServer, KafkaAdminClient) async throws -> T
    ) async throws -> T {
        let router = cluster.router()
        if let sasl { router.requireSASL(sasl) }
        let server = try await KafkaFaceServer.start(router: router)
        cluster.advertise(host: "127.0.0.1", port: server.port)
        let client = KafkaAdminClient(.init(bootstrapServers: [server.address], requestTimeout: .seconds(5), retries: 2, sasl: credentials))
        do {
            let result = try await body(server, client)
            await client.close()
            await server.stop()
            return result
        } catch {
            await client.close()
            await server.stop()
            throw error
        }
    }

    @Test func describesTheCluster() async throws {
        let cluster = Self.cluster()
        let description = try await withFace(cluster) { _, client in try await client.describeCluster() }
        #expect(description.clusterId == "ebb-simulated")
        #expect(description.controllerId == 1000)
        #expect(description.brokers.map(\.id) == [1000, 1001, 1002])
        #expect(description.brokers.map(\.rack) == ["rack-1", "rack-2", "rack-0"])
        #expect(description.topics.map(\.name) == ["clickstream", "orders"])
        #expect(description.topics.last?.partitions.map(\.leader) == [1000, 1001, 1002, 1000])
    }

    @Test func submitsFollowsAndCompletesAReassignment() async throws {
        let cluster = Self.cluster()
        cluster.addBroker(.init(id: 1003, rack: "rack-0"))
        try await withFace(cluster) { _, client in
            let results = try await client.alterReassignments([("orders", 0, [1003]), ("orders", 3, [1003])])
            #expect(results.allSatisfy { $0.error == nil })
            let ongoing = try await client.listReassignments()
            #expect(
                ongoing == [
                    OngoingReassignment(topic: "orders", partition: 0, replicas: [1000, 1003], adding: [1003], removing: [1000]),
                    OngoingReassignment(topic: "orders", partition: 3, replicas: [1000, 1003], adding: [1003], removing: [1000])
                ])
            cluster.advance(to: 2)
            #expect(try await client.listReassignments().isEmpty)
            let after = try await client.describeCluster()
            #expect(after.topics.first { $0.name == "orders" }?.partitions.map(\.replicas) == [[1003], [1001], [1002], [1003]])
        }
        #expect(cluster.completedMoves == 2)
    }

    @Test func cancelsAndRejectsWithNamedErrors() async throws {
        let cluster = Self.cluster()
        try await withFace(cluster) { _, client in
            _ = try await client.alterReassignments([("orders", 1, [1002])])
            let cancel = try await client.alterReassignments([("orders", 1, nil), ("orders", 2, nil)])
            #expect(cancel[0].error == nil)
            #expect(cancel[1].error?.hasPrefix("NO_REASSIGNMENT_IN_PROGRESS (85)") == true)
            let bad = try await client.alterReassignments([("orders", 0, [4242]), ("nope", 0, [1000])])
            let errors = Dictionary(uniqueKeysWithValues: bad.map { ("\($0.topic)-\($0.partition)", $0.error?.components(separatedBy: " ").first) })
            #expect(errors == ["orders-0": "INVALID_REPLICA_ASSIGNMENT", "nope-0": "UNKNOWN_TOPIC_OR_PARTITION"])
            #expect(try await client.listReassignments().isEmpty)
        }
    }

    /// A broker without partition reassignment (as Tansu): the client says so, at once.
    @Test func aBrokerWithoutReassignmentsIsReportedClearly() async throws {
        let router = KafkaFaceRouter()
        router.register(ApiVersionsRequest.self) { [router] _, _ in ApiVersionsResponse(apiKeys: router.advertised) }
        router.register(MetadataRequest.self) { _, _ in MetadataResponse(brokers: [.init(nodeId: 1, host: "127.0.0.1", port: 9092)], controllerId: 1)
        }
        let server = try await KafkaFaceServer.start(router: router)
        let client = KafkaAdminClient(.init(bootstrapServers: [server.address], requestTimeout: .seconds(5), retries: 0))
        await #expect {
            _ = try await client.listReassignments()
        } throws: { error in
            "\(error)".contains("the broker does not support ListPartitionReassignments (api key 46)")
        }
        await client.close()
        await server.stop()
    }

    @Test func aSilentBrokerTimesOutNamingTheAPIAndBroker() async throws {
        // A server that accepts connections and never answers.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = silent.localAddress?.port ?? 0
        let client = KafkaAdminClient(.init(bootstrapServers: ["127.0.0.1:\(port)"], requestTimeout: .milliseconds(300), retries: 0))
        await #expect {
            _ = try await client.describeCluster()
        } throws: { error in
            "\(error)" == "ApiVersionsRequest to 127.0.0.1:\(port): no answer within 0.3 s"
        }
        await client.close()
        try await silent.close()
    }

    @Test func garbageFromTheServerIsAnErrorNotACrash() async throws {
        final class Garbage: ChannelInboundHandler, Sendable {
            typealias InboundIn = ByteBuffer
            typealias OutboundOut = ByteBuffer
            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                // A frame announcing 2 GiB.
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3])), promise: nil)
            }
        }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Garbage()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = KafkaAdminClient(
            .init(bootstrapServers: ["127.0.0.1:\(server.localAddress?.port ?? 0)"], requestTimeout: .seconds(2), retries: 0))
        await #expect {
            _ = try await client.describeCluster()
        } throws: { error in
            "\(error)".contains("exceeds the limit")
        }
        await client.close()
        try await server.close()
    }

    @Test func garbageToTheFaceClosesThatConnectionOnly() async throws {
        let cluster = Self.cluster()
        try await withFace(cluster) { server, client in
            // Another connection sends garbage; the face drops it and keeps serving others.
            let rogue = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: server.port).get()
            try await rogue.writeAndFlush(rogue.allocator.buffer(bytes: [0, 0, 0, 4, 0xDE, 0xAD, 0xBE, 0xEF])).get()
            try await rogue.closeFuture.get()
            #expect(try await client.describeCluster().brokers.count == 3)
        }
    }
}
