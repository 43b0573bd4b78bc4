import Foundation
import KafkaAdmin
import Simulator
import Testing

/// Kafka answers are checked before Ebb computes with them: offsets that cannot be true are a
/// malformed answer naming the broker and the partition (never an overflow trap), and an answer
/// larger than the configured limit is refused before it is buffered.
struct KafkaAnswerCheckTests {
    func withFace(_ cluster: SimulatedKafkaCluster, maxResponseBytes: Int? = nil, _ body: (KafkaFaceServer, KafkaAdminClient) async throws -> Void)
        async throws
    {
        let server = try await KafkaFaceServer.start(router: cluster.router())
        cluster.advertise(host: "127.0.0.1", port: server.port)
        var configuration = KafkaAdminClient.Configuration(bootstrapServers: [server.address], requestTimeout: .seconds(5), retries: 1)
        if let maxResponseBytes { configuration.maxResponseBytes = maxResponseBytes }
        let client = KafkaAdminClient(configuration)
        do {
            try await body(server, client)
        } catch {
            await client.close()
            await server.stop()
            throw error
        }
        await client.close()
        await server.stop()
    }

    static func cluster() -> SimulatedKafkaCluster {
        let cluster = SimulatedKafkaCluster()
        for id in Int32(0)...2 { cluster.addBroker(.init(id: id)) }
        cluster.createTopic("orders", replicas: [[0], [1], [2]])
        for partition in Int32(0)...2 { cluster.setEndOffset("orders", partition, 1000) }
        cluster.setMembers(group: "checkout", 1)
        return cluster
    }

    func malformed(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as KafkaClientError {
            guard case .malformed = error else { return "not a malformed answer: \(error)" }
            return error.description
        } catch {
            return "not a Kafka client error: \(error)"
        }
    }

    @Test(arguments: [Int64.min, -2, -1_000_000])
    func aNegativeEndOffsetIsAMalformedAnswer(_ offset: Int64) async throws {
        let cluster = Self.cluster()
        cluster.setEndOffset("orders", 1, offset)
        cluster.commit(group: "checkout", topic: "orders", partition: 1, offset: 10)
        try await withFace(cluster) { server, client in
            let message = await malformed { _ = try await client.listOffsets([TopicPartition("orders", 1)]) }
            #expect(message == "ListOffsets from \(server.address): malformed answer: orders-1: offset \(offset) is negative")
            let lag = await malformed { _ = try await client.consumerLag(group: "checkout") }
            #expect(lag?.contains("orders-1: offset \(offset) is negative") == true, "\(lag ?? "no error")")
        }
    }

    @Test func aCommittedOffsetBelowMinusOneIsAMalformedAnswer() async throws {
        let cluster = Self.cluster()
        cluster.commit(group: "checkout", topic: "orders", partition: 2, offset: Int64.min)
        try await withFace(cluster) { _, client in
            let message = await malformed { _ = try await client.consumerLag(group: "checkout") }
            #expect(
                message?.contains("OffsetFetch from ") == true
                    && message?.contains("group checkout, orders-2: committed offset \(Int64.min) is negative") == true, "\(message ?? "no error")")
        }
    }

    /// Kafka accepts a commit beyond the log end (and Tansu reports such ends): no records behind, no error.
    @Test func aCommitBeyondTheLogEndIsNoLag() async throws {
        let cluster = Self.cluster()
        cluster.commit(group: "checkout", topic: "orders", partition: 0, offset: 5000)
        try await withFace(cluster) { _, client in
            let lag = try await client.consumerLag(group: "checkout")
            #expect(lag.partitions.first { $0.partition == 0 }?.lag == 0 && lag.totalLag == 0)
        }
    }

    @Test func theLargestLagsAddUpWithoutOverflow() async throws {
        let cluster = Self.cluster()
        for partition in Int32(0)...2 {
            cluster.setEndOffset("orders", partition, Int64.max)
            cluster.commit(group: "checkout", topic: "orders", partition: partition, offset: 0)
        }
        try await withFace(cluster) { _, client in
            let lag = try await client.consumerLag(group: "checkout")
            #expect(lag.totalLag == Int64.max, "saturates instead of trapping")
        }
        let rates = OffsetSnapshot.produceRates(
            from: OffsetSnapshot(time: 0, offsets: [TopicPartition("t", 0): Int64.min + 1]),
            to: OffsetSnapshot(time: 1, offsets: [TopicPartition("t", 0): Int64.max]))
        #expect(rates.isEmpty, "an end minus start that overflows is no rate")
    }

    @Test func anAnswerOverTheLimitIsRefusedAndNamed() async throws {
        let cluster = Self.cluster()
        for index in 0..<50 { cluster.createTopic("topic-with-a-long-name-\(index)", replicas: [[0], [1]]) }
        try await withFace(cluster, maxResponseBytes: 1024) { server, client in
            do {
                _ = try await client.describeCluster()
                Issue.record("a Metadata answer over 1 KiB was accepted")
            } catch {
                #expect("\(error)".contains("exceeds the limit of 1024 bytes"), "\(error)")
                #expect("\(error)".contains(server.address) || "\(error)".contains("127.0.0.1"), "\(error)")
            }
        }
    }
}
