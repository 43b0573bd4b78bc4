import EbbTestSupport
import Foundation
import KafkaAdmin
import Simulator
import Testing

/// kafka-python (from PyPI), a client nobody here wrote, talks to the simulator's Kafka face:
/// bootstrap, ApiVersions, Metadata, DescribeCluster, ListOffsets, FindCoordinator, OffsetFetch,
/// ListGroups, DescribeConfigs, ElectLeaders and partition reassignments, in plain text and
/// after SASL SCRAM-SHA-512. CI installs it (`.ci/run`); without it the suite is skipped
/// locally and fails in CI.
@Suite(RealParts.needing(.kafkaPython)) struct KafkaPythonCrossCheckTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kafka_python_crosscheck.py")

    static func world() -> SimulatedKafkaCluster {
        let cluster = KafkaFaceTests.cluster()
        for (partition, end) in [(0, 1_200), (1, 800), (2, 0), (3, 42)] { cluster.setEndOffset("orders", Int32(partition), Int64(end)) }
        cluster.commit(group: "fulfilment", topic: "orders", partition: 0, offset: 1_000)
        cluster.commit(group: "fulfilment", topic: "orders", partition: 3, offset: 40)
        cluster.setMembers(group: "fulfilment", 2)
        return cluster
    }

    /// Runs the script against a face of `cluster` and returns what it printed.
    func kafkaPython(_ cluster: SimulatedKafkaCluster, sasl: KafkaFaceSASL? = nil, arguments: [String] = []) async throws -> [String: Any] {
        // A listener per broker: kafka-python routes to leaders and coordinators by itself.
        let listeners = try await KafkaFaceListeners.start(cluster, sasl: sasl)
        let run: RealParts.Run
        do {
            run = try await RealParts.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Self.script.path, listeners.bootstrap] + arguments)
        } catch {
            await listeners.stopAll()
            throw error
        }
        await listeners.stopAll()
        if run.stderr.contains("No module named 'kafka'") { throw RealParts.Missing(part: .kafkaPython) }
        #expect(run.status == 0, "kafka-python failed against the face:\n\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)\n\(run.stderr)")
    }

    func checkAgreement(_ seen: [String: Any], _ cluster: SimulatedKafkaCluster) throws {
        #expect(seen["cluster_id"] as? String == "ebb-simulated")
        #expect(seen["controller_id"] as? Int == 1000)
        #expect((seen["brokers"] as? [[Any]])?.map { $0[0] as? Int } == [1000, 1001, 1002])
        #expect(seen["topics"] as? [String] == ["clickstream", "orders"])
        #expect((seen["orders_partitions"] as? [[Any]])?.map { $0[1] as? Int } == [1000, 1001, 1002, 1000])
        #expect((seen["orders_end_offsets"] as? [[Int]]) == [[0, 1_200], [1, 800], [2, 0], [3, 42]])
        #expect(seen["groups"] as? [String] == ["fulfilment"])
        let offsets = try #require(seen["fulfilment_offsets"] as? [[Any]])
        #expect(offsets.map { $0[1] as? Int } == [0, 3])
        #expect(offsets.map { $0[2] as? Int } == [1_000, 40])
        let configs = try #require(seen["orders_configs"] as? String)
        #expect(configs.contains("cleanup.policy") && configs.contains("delete"), "\(configs)")
        #expect((seen["elected"] as? String)?.contains("clickstream") == true)
        let ongoing = try #require(seen["ongoing"] as? [[Any]])
        #expect(ongoing.count == 1)
        #expect(ongoing.first?[0] as? String == "orders" && ongoing.first?[1] as? Int == 0)
        #expect((ongoing.first?[2] as? [Int]) == [1000, 1002])
        // What kafka-python asked for reached our cluster.
        #expect(cluster.replicas("orders", 0) == [1000, 1002])
    }

    @Test func kafkaPythonAgreesWithOurCodecs() async throws {
        let cluster = Self.world()
        let seen = try await kafkaPython(cluster)
        try checkAgreement(seen, cluster)
    }

    @Test func kafkaPythonAuthenticatesWithSCRAMToOurFace() async throws {
        let cluster = Self.world()
        let sasl = try KafkaFaceSASL(mechanisms: [.scramSHA512], users: ["shop-ops": "black-friday"])
        let seen = try await kafkaPython(cluster, sasl: sasl, arguments: ["scram", "shop-ops", "black-friday"])
        try checkAgreement(seen, cluster)
    }
}
