import KafkaAdmin
import Testing

struct FramingTests {
    @Test func framesComeOutWholeAndNeverHalf() throws {
        var decoder = KafkaFrameDecoder()
        let frame: [UInt8] = [0, 0, 0, 5, 1, 2, 3, 4, 5]
        let two = frame + [0, 0, 0, 2, 9, 9]
        // Feed one byte at a time: nothing comes out until a frame is whole.
        var frames: [[UInt8]] = []
        for byte in two {
            decoder.append([byte])
            while let next = try decoder.next() { frames.append(next) }
        }
        #expect(frames == [[1, 2, 3, 4, 5], [9, 9]])
        #expect(decoder.buffered == 0)
        decoder.append([0, 0, 0, 3, 7])
        #expect(try decoder.next() == nil)
        #expect(decoder.buffered == 5)  // the half frame stays, unconsumed
    }

    @Test func oversizedAndNegativeFramesAreRejected() {
        var decoder = KafkaFrameDecoder(maxFrameSize: 1024)
        decoder.append([0, 0, 0x10, 0])
        #expect(throws: KafkaFrameDecoder.FrameError(size: 4096, maxFrameSize: 1024)) { try decoder.next() }
        var negative = KafkaFrameDecoder()
        negative.append([0xFF, 0xFF, 0xFF, 0xFE])
        #expect(throws: KafkaFrameDecoder.FrameError(size: -2, maxFrameSize: 100 * 1024 * 1024)) { try negative.next() }
    }

    /// A request as a broker reads it, and a response as the client reads it, for a flexible and
    /// a classic version; ApiVersions answers with header v0 even in flexible versions.
    @Test(arguments: [Int16(1), 12])
    func requestAndResponseRoundTrip(_ version: Int16) throws {
        let request = MetadataRequest(topics: [.init(name: "orders")], allowAutoTopicCreation: false)
        let frame = KafkaFraming.request(request, version: version, correlationId: 42, clientId: "ebb")
        var decoder = KafkaFrameDecoder()
        decoder.append(frame)
        let payload = try #require(try decoder.next())
        var (header, body) = try KafkaFraming.readRequestHeader(payload) { key, v in key == MetadataRequest.apiKey && MetadataRequest.isFlexible(v) }
        #expect(header.requestApiKey == 3 && header.requestApiVersion == version && header.correlationId == 42 && header.clientId == "ebb")
        let decoded = try MetadataRequest(from: &body, version: version)
        #expect(decoded.topics?.map(\.name) == ["orders"])
        #expect(body.remaining == 0)

        let response = MetadataResponse(brokers: [.init(nodeId: 1, host: "k", port: 9092)], controllerId: 1)
        var responses = KafkaFrameDecoder()
        responses.append(KafkaFraming.response(response, version: version, correlationId: 42))
        let answer = try #require(try responses.next())
        var (correlationId, reader) = try KafkaFraming.readResponse(answer, apiKey: 3, flexible: MetadataResponse.isFlexible(version))
        #expect(correlationId == 42)
        #expect(try MetadataResponse(from: &reader, version: version).brokers.map(\.nodeId) == [1])
    }

    @Test func apiVersionsResponseUsesHeaderV0() {
        #expect(KafkaFraming.responseHeaderVersion(apiKey: 18, flexible: true) == 0)
        #expect(KafkaFraming.responseHeaderVersion(apiKey: 3, flexible: true) == 1)
        #expect(KafkaFraming.responseHeaderVersion(apiKey: 3, flexible: false) == 0)
    }

    @Test func negotiationPicksTheHighestCommonVersion() throws {
        let broker = ApiVersionsResponse(apiKeys: [.init(apiKey: 3, minVersion: 0, maxVersion: 9), .init(apiKey: 18, minVersion: 0, maxVersion: 3)])
        #expect(try VersionNegotiation.version(for: MetadataRequest.self, broker: broker) == 9)
        #expect(try VersionNegotiation.version(for: MetadataRequest.self, ours: 0...4, broker: broker) == 4)
        // A broker that does not advertise api key 45 (Tansu): say so, clearly.
        #expect(throws: VersionNegotiation.Unsupported.self) {
            try VersionNegotiation.version(for: AlterPartitionReassignmentsRequest.self, broker: broker)
        }
        do {
            _ = try VersionNegotiation.version(for: AlterPartitionReassignmentsRequest.self, broker: broker)
        } catch {
            #expect(error.description == "the broker does not support AlterPartitionReassignments (api key 45)")
        }
        let old = ApiVersionsResponse(apiKeys: [.init(apiKey: 3, minVersion: 20, maxVersion: 30)])
        #expect(throws: VersionNegotiation.Unsupported(apiKey: 3, apiName: "Metadata", ours: 0...12, broker: 20...30)) {
            try VersionNegotiation.version(for: MetadataRequest.self, broker: old)
        }
    }

    @Test func errorCodesHaveNames() {
        #expect(KafkaErrorCode(41).description == "NOT_CONTROLLER (41)")
        #expect(KafkaErrorCode(41).isRetriable && KafkaErrorCode(14).isRetriable && KafkaErrorCode(7).isRetriable)
        #expect(!KafkaErrorCode(29).isRetriable)
        #expect(KafkaErrorCode(9999).name == "UNKNOWN_ERROR_CODE_9999")
    }
}

/// Random and mutated frames fed to the decoders: errors, never a crash or a hang.
struct DecoderFuzzTests {
    @Test func hundredThousandHostileInputs() {
        var random = SplitMix64(seed: 2026)
        // Seeds: real frames of several APIs and versions, to mutate.
        let seeds: [[UInt8]] = [
            MetadataResponse(
                brokers: [.init(nodeId: 1, host: "broker-0", port: 9092, rack: "a")],
                topics: [.init(name: "orders", partitions: [.init(partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1])])]
            ).encoded(version: 12),
            MetadataResponse(brokers: [.init(nodeId: 1, host: "broker-0", port: 9092)]).encoded(version: 1),
            ApiVersionsResponse(apiKeys: [.init(apiKey: 3, minVersion: 0, maxVersion: 12)], finalizedFeaturesEpoch: 3).encoded(version: 3),
            ListPartitionReassignmentsResponse(topics: [
                .init(name: "orders", partitions: [.init(partitionIndex: 0, replicas: [1, 2], addingReplicas: [2], removingReplicas: [1])])
            ]).encoded(version: 0),
            OffsetFetchResponse(groups: [
                .init(groupId: "g", topics: [.init(name: "orders", partitions: [.init(partitionIndex: 0, committedOffset: 42)])])
            ]).encoded(version: 8)
        ]
        var decoded = 0
        for index in 0..<100_000 {
            var bytes: [UInt8]
            if index % 2 == 0 {
                bytes = seeds[index % seeds.count]
                for _ in 0..<(1 + Int(random.next() % 4)) where !bytes.isEmpty {
                    let position = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 3 {
                    case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                    }
                }
            } else {
                bytes = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            let version = Int16(random.next() % 13)
            if (try? MetadataResponse.decode(bytes, version: version)) != nil { decoded += 1 }
            _ = try? ApiVersionsResponse.decode(bytes, version: min(version, 4))
            _ = try? ListPartitionReassignmentsResponse.decode(bytes, version: 0)
            _ = try? OffsetFetchResponse.decode(bytes, version: min(version, 9))
            var frames = KafkaFrameDecoder(maxFrameSize: 1 << 20)
            frames.append(bytes)
            _ = try? frames.next()
        }
        // Some mutations still decode (a changed digit is a valid message); most do not.
        #expect(decoded > 0 && decoded < 100_000)
    }
}

/// A frame over the limit is refused as soon as its size is read, and nothing of it is kept.
struct FrameLimitTests {
    @Test func anOversizedFrameIsRefusedBeforeItIsBuffered() {
        var decoder = KafkaFrameDecoder(maxFrameSize: 64)
        // A 1 GiB frame announced, 4 KiB of it arrived in the same read.
        let announced: [UInt8] = [0x40, 0, 0, 0] + Array(repeating: 7, count: 4096)
        #expect(throws: KafkaFrameDecoder.FrameError(size: 1 << 30, maxFrameSize: 64)) { try decoder.feed(announced) }
        #expect(decoder.buffered == 0, "the frame's bytes are dropped, not held")
        // A whole small frame followed by an oversized one in one read: refused too.
        var second = KafkaFrameDecoder(maxFrameSize: 64)
        #expect(throws: KafkaFrameDecoder.FrameError(size: 65, maxFrameSize: 64)) { try second.feed([0, 0, 0, 1, 9, 0, 0, 0, 65]) }
        var fine = KafkaFrameDecoder(maxFrameSize: 64)
        #expect(throws: Never.self) { try fine.feed([0, 0, 0, 2, 1]) }
        #expect(fine.buffered == 5)
    }

    @Test func theClientDefaultIs64MiB() {
        #expect(KafkaFrameDecoder.defaultResponseLimit == 64 * 1024 * 1024)
        #expect(KafkaAdminClient.Configuration(bootstrapServers: ["k:9092"]).maxResponseBytes == 64 * 1024 * 1024)
    }
}
