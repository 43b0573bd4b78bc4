// Decoding one Metadata response of 100,000 partitions on 1,000 brokers: Ebb's generated codec
// against kafka-python's decoder, on the same bytes, in the same run.
//
//   EBB_BENCHMARKS=1 swift run -c release --scratch-path .build-bench MetadataDecodeComparison [RUNS]
//
// Needs kafka-python (pip install 'kafka-python>=3,<4').
import Foundation
import KafkaAdmin

let runs = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 15 : 15
let version: Int16 = 12
let brokerCount = 1_000
let topicCount = 1_000
let partitionsPerTopic = 100

func response() -> MetadataResponse {
    var seed: UInt64 = 42
    func next() -> Int {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(seed >> 33)
    }
    let brokers = (0..<brokerCount).map {
        MetadataResponse.MetadataResponseBroker(
            nodeId: Int32($0), host: "broker-\($0).kafka.shop.svc.cluster.local", port: 9092, rack: "eu-west-1\(["a", "b", "c"][$0 % 3])")
    }
    let topics = (0..<topicCount).map { topic in
        MetadataResponse.MetadataResponseTopic(
            name: "shop.events.topic-\(topic)",
            topicId: KafkaUUID(high: UInt64(next()) << 31 ^ UInt64(next()), low: UInt64(next()) << 31 ^ UInt64(next())),
            partitions: (0..<partitionsPerTopic).map { index in
                let first = next() % brokerCount
                let replicas = (0..<3).map { Int32((first + $0 * 7) % brokerCount) }
                return .init(
                    partitionIndex: Int32(index), leaderId: replicas[0], leaderEpoch: Int32(next() % 50), replicaNodes: replicas, isrNodes: replicas,
                    offlineReplicas: [])
            })
    }
    return MetadataResponse(brokers: brokers, clusterId: "shop-prod", controllerId: 0, topics: topics)
}

let bytes = response().encoded(version: version)
let file = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-metadata-\(ProcessInfo.processInfo.processIdentifier).bin")
try Data(bytes).write(to: file)
defer { try? FileManager.default.removeItem(at: file) }

// Ebb.
var ours: [Double] = []
var partitions = 0
for _ in 0..<runs {
    let clock = ContinuousClock()
    var decoded: MetadataResponse?
    let elapsed = try clock.measure { decoded = try MetadataResponse.decode(bytes, version: version) }
    partitions = decoded!.topics.reduce(0) { $0 + $1.partitions.count }
    ours.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}
ours.sort()

// kafka-python, on the same bytes.
let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Scripts/kafka_python_decode.py")
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = ["python3", script.path, file.path, String(version), String(max(3, runs / 3))]
let out = Pipe()
process.standardOutput = out
try process.run()
let answer = out.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()
guard process.terminationStatus == 0, let python = try JSONSerialization.jsonObject(with: answer) as? [String: Any],
    let theirMedian = python["median"] as? Double, python["partitions"] as? Int == partitions
else {
    FileHandle.standardError.write(Data("kafka-python did not decode the same response (pip install 'kafka-python>=3,<4')\n".utf8))
    exit(1)
}
let ourMedian = ours[ours.count / 2]
print("Metadata v\(version) response: \(bytes.count) bytes, \(brokerCount) brokers, \(partitions) partitions")
print(String(format: "Ebb          median %8.2f ms  (min %.2f ms, %d runs)", ourMedian * 1000, ours[0] * 1000, runs))
print(String(format: "kafka-python median %8.2f ms  (min %.2f ms)", theirMedian * 1000, (python["min"] as? Double ?? 0) * 1000))
print(String(format: "Ebb decodes %.1fx faster", theirMedian / ourMedian))
