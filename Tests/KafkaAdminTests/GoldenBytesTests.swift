import EbbTestSupport
import Foundation
import KafkaAdmin
import Testing

/// Bytes encoded by kafka-python (Scripts/kafka_goldens.py), an implementation nobody here wrote,
/// from the same Kafka message specs: our generated codecs must read them and write them back
/// byte for byte.
struct GoldenBytesTests {
    struct Case: Decodable, CustomTestStringConvertible {
        let message: String
        let version: Int16
        let hex: String
        var bytes: [UInt8] {
            stride(from: 0, to: hex.count, by: 2).map { offset in
                let start = hex.index(hex.startIndex, offsetBy: offset)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
            }
        }
        var testDescription: String { "\(message) v\(version)" }
    }

    struct Fixture: Decodable {
        let cases: [Case]
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let cases: [Case] = {
        let url = root.appendingPathComponent("Tests/KafkaAdminTests/Fixtures/goldens.json")
        guard let data = try? Data(contentsOf: url), let fixture = try? JSONDecoder().decode(Fixture.self, from: data) else { return [] }
        return fixture.cases
    }()

    static func roundTrip<M: KafkaMessage>(_: M.Type, _ bytes: [UInt8], _ version: Int16) throws -> [UInt8] {
        try M.decode(bytes, version: version).encoded(version: version)
    }

    static let messages = KafkaMessages.all

    static let codecs: [String: @Sendable ([UInt8], Int16) throws -> [UInt8]] = Dictionary(
        uniqueKeysWithValues: messages.map { message in
            (String(describing: message), { @Sendable bytes, version in try roundTrip(message, bytes, version) })
        })

    @Test func everyMessageEbbReadsHasAGoldenInBothVersionFamilies() {
        // Without goldens: messages with no fields worth a case, covered by the face tests and
        // the kafka-python cross-check instead.
        let exempt: Set<String> = [
            "DescribeClusterRequest", "ListPartitionReassignmentsRequest", "AlterPartitionReassignmentsResponse", "SaslHandshakeResponse",
            "ListGroupsRequest"
        ]
        for message in Self.messages where !exempt.contains(String(describing: message)) {
            #expect(Self.cases.contains { $0.message == String(describing: message) }, "no golden for \(message)")
        }
        let flexible = Self.cases.filter { golden in
            Self.messages.first { String(describing: $0) == golden.message }?.isFlexible(golden.version) == true
        }
        #expect(flexible.count >= 10, "flexible versions are covered")
        #expect(Self.cases.count - flexible.count >= 10, "classic versions are covered")
    }

    @Test func thereAreGoldens() {
        #expect(Self.cases.count >= 39)
    }

    @Test(arguments: cases)
    func decodesAndReencodesByteForByte(_ golden: Case) throws {
        let codec = try #require(Self.codecs[golden.message], "no codec registered for \(golden.message)")
        #expect(try codec(golden.bytes, golden.version) == golden.bytes)
    }

    @Test func metadataResponseV12Values() throws {
        let golden = try #require(Self.cases.first { $0.message == "MetadataResponse" && $0.version == 12 })
        let response = try MetadataResponse.decode(golden.bytes, version: 12)
        #expect(response.clusterId == "shop-cluster")
        #expect(response.controllerId == 1000)
        #expect(response.brokers.map(\.rack) == ["us-east-1a"])
        let partition = try #require(response.topics.first?.partitions.first)
        #expect(response.topics.first?.name == "orders")
        #expect(partition.partitionIndex == 3 && partition.leaderEpoch == 7 && partition.replicaNodes == [1000])
    }

    @Test func metadataResponseV1NullRack() throws {
        let golden = try #require(Self.cases.first { $0.message == "MetadataResponse" && $0.version == 1 })
        let response = try MetadataResponse.decode(golden.bytes, version: 1)
        #expect(response.brokers.map(\.rack) == [nil, "us-east-1b"])
        #expect(response.topics.first?.partitions.first?.isrNodes == [1000])
    }

    @Test func apiVersionsV3TaggedFields() throws {
        let golden = try #require(Self.cases.first { $0.message == "ApiVersionsResponse" && $0.version == 3 })
        let response = try ApiVersionsResponse.decode(golden.bytes, version: 3)
        #expect(response.apiKeys.map(\.apiKey) == [18])
        #expect(response.throttleTimeMs == 7)
        #expect(response.finalizedFeaturesEpoch == 5)  // a tagged field
    }

    @Test func reassignmentCancelIsANullReplicaList() throws {
        let golden = try #require(Self.cases.first { $0.message == "AlterPartitionReassignmentsRequest" })
        let request = try AlterPartitionReassignmentsRequest.decode(golden.bytes, version: 0)
        #expect(request.topics.first?.partitions.map(\.replicas) == [[1006], nil])
    }

    @Test func truncatedGoldensAreErrorsNotCrashes() {
        for golden in Self.cases {
            let bytes = golden.bytes
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 7)) {
                #expect(throws: WireError.self) { try Self.codecs[golden.message]!(Array(bytes.prefix(cut)), golden.version) }
            }
        }
    }
}

/// The committed codecs are what the generator makes of the pinned specs.
struct GeneratedCodecDriftTests {
    @Test func generatedFilesMatchTheSpecs() async throws {
        let run = try await ProcessRun.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "Scripts/kafka_codegen.py", "--check"], directory: GoldenBytesTests.root)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    }

    /// The pinned specs are Kafka's own, unchanged, where the shared copy is at hand.
    @Test(RealParts.needing(.sharedRecordings)) func pinnedSpecsMatchTheSharedOnes() async throws {
        let shared = try await RealParts.require(.sharedRecordings).appendingPathComponent("specs/kafka-messages")
        let pinned = GoldenBytesTests.root.appendingPathComponent("Specs/kafka-messages")
        let names = try FileManager.default.contentsOfDirectory(atPath: pinned.path).filter { $0.hasSuffix(".json") }
        #expect(names.count == 30)
        for name in names {
            let ours = try Data(contentsOf: pinned.appendingPathComponent(name))
            let theirs = try Data(contentsOf: shared.appendingPathComponent(name))
            #expect(ours == theirs, "Specs/kafka-messages/\(name) differs from shared/specs")
        }
    }
}
