import Foundation
import KafkaAdmin
import Simulator
import Testing

/// kafka-python (from PyPI), a client nobody here wrote, talks to the simulator's Kafka face:
/// bootstrap, ApiVersions, Metadata, DescribeCluster, and partition reassignments. CI installs it
/// (`.ci/run`); without it this test fails and says how to install it.
struct KafkaPythonCrossCheckTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kafka_python_crosscheck.py")

    @Test func kafkaPythonAgreesWithOurCodecs() async throws {
        let cluster = KafkaFaceTests.cluster()
        let server = try await KafkaFaceServer.start(router: cluster.router())
        cluster.advertise(host: "127.0.0.1", port: server.port)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, server.address]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if stderr.contains("No module named 'kafka'") {
            Issue.record("kafka-python is not installed: pip install kafka-python (CI's .ci/run does)")
            return
        }
        #expect(process.terminationStatus == 0, "kafka-python failed against the face:\n\(stderr)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(stdout)\n\(stderr)")
        #expect(seen["cluster_id"] as? String == "ebb-simulated")
        #expect(seen["controller_id"] as? Int == 1000)
        #expect((seen["brokers"] as? [[Any]])?.map { $0[0] as? Int } == [1000, 1001, 1002])
        #expect(seen["topics"] as? [String] == ["clickstream", "orders"])
        #expect((seen["orders_partitions"] as? [[Any]])?.map { $0[1] as? Int } == [1000, 1001, 1002, 1000])
        let ongoing = try #require(seen["ongoing"] as? [[Any]])
        #expect(ongoing.count == 1)
        #expect(ongoing.first?[0] as? String == "orders" && ongoing.first?[1] as? Int == 0)
        #expect((ongoing.first?[2] as? [Int]) == [1000, 1002])
        // What kafka-python asked for reached our cluster.
        #expect(cluster.replicas("orders", 0) == [1000, 1002])
        await server.stop()
    }
}
