import Foundation
import Testing

@testable import Simulator

/// The served world's traffic: what the Kafka face shows (end offsets, the group's committed
/// offsets) is what the brokers accepted and the group fetched, and the metrics face counts it.
struct ServedWorldTests {
    func cluster(brokers: Int32) -> SimulatedKafkaCluster {
        let kafka = SimulatedKafkaCluster(moveSeconds: 1.5)
        for id in 0..<brokers { kafka.addBroker(.init(id: id)) }
        var placement: [String: [[Int32]]] = [:]
        for (position, share) in TopicSpec.shares(CampaignSettings().topics, seed: 1).enumerated() {
            placement[share.topic, default: []].append([Int32(position) % brokers])
        }
        for (topic, replicas) in placement { kafka.createTopic(topic, replicas: replicas) }
        return kafka
    }

    /// As strict as a real cluster: a saturated broker's bytes in is what it accepted, the
    /// producers hold only their buffers and refuse the rest, and the lag Kafka shows is the log's
    /// backlog; the producers' own counter is what they were handed.
    @Test func bytesInIsWhatBrokersAcceptedAndProducersRefuseBeyondTheirBuffers() throws {
        let mebibyte = 1_048_576.0
        let kafka = cluster(brokers: 3)
        let traffic = LiveTraffic(settings: CampaignSettings(), group: "g", seed: 1)
        func bytesIn() -> Double { traffic.counters.bytesIn.values.flatMap(\.values).reduce(0, +) }
        traffic.step(kafka, now: 0, demandMiBPerSecond: 300)
        // 300 MiB/s on three brokers of 150: accepted and fetched, nothing behind or refused.
        for second in 1...10 { traffic.step(kafka, now: Double(second), demandMiBPerSecond: 300) }
        #expect(traffic.lagMessages < 1 && traffic.refusedBytes == 0)
        #expect(abs(bytesIn() - 3_000 * mebibyte) < 1_000)
        // 900 MiB/s on 450 of capacity for 10 s: bytes in tops out at what the brokers take, the
        // 2 GiB of producer buffers fill, and the rest is refused.
        for second in 11...20 { traffic.step(kafka, now: Double(second), demandMiBPerSecond: 900) }
        let accepted = bytesIn() - 3_000 * mebibyte
        #expect(accepted <= 4_500 * mebibyte + 1_000 && accepted > 3_500 * mebibyte, "accepted \(accepted / mebibyte) MiB in 10 s")
        #expect(traffic.refusedBytes > 2_000 * mebibyte, "refused \(traffic.refusedBytes / mebibyte) MiB")
        #expect(traffic.pendingBytes <= CampaignSettings().producerBufferMiB * mebibyte + 1)
        // The producers' side counts everything they were handed, accepted or not.
        #expect(abs(traffic.counters.offered.values.reduce(0, +) - 12_000 * mebibyte) < 1_000)
        let state = kafka.state.withLockedValue { $0 }
        var behind: Int64 = 0
        for (topic, partitions) in state.topics {
            for (index, partition) in partitions.enumerated() {
                let committed = try #require(state.groupOffsets["g"]?[topic]?[Int32(index)])
                #expect(committed <= partition.endOffset && committed >= 0)
                behind += partition.endOffset - committed
            }
        }
        #expect(abs(Double(behind) - traffic.lagMessages) < 500, "Kafka-native lag \(behind) vs backlog \(traffic.lagMessages)")
        #expect(traffic.violations.isEmpty, "\(traffic.violations)")
    }

    @Test func aMovingPartitionDoesNotServeAndABrokerThatLeftServesNothing() {
        let kafka = cluster(brokers: 3)
        let traffic = LiveTraffic(settings: CampaignSettings(), group: "g", seed: 1)
        traffic.step(kafka, now: 0, demandMiBPerSecond: 100)
        // Move every partition of broker 2 to broker 0: while they move, their backlog grows.
        let moving = kafka.state.withLockedValue { state in
            state.topics.flatMap { topic, partitions in partitions.enumerated().filter { $0.element.leader == 2 }.map { (topic, Int32($0.offset)) } }
        }
        kafka.state.withLockedValue { state in
            for (topic, index) in moving {
                state.reassignments[topic, default: [:]][index] = .init(target: [0], original: [2], completesAt: 1.5)
            }
        }
        traffic.step(kafka, now: 1, demandMiBPerSecond: 100)
        #expect(traffic.pendingBytes > 1_000, "moving partitions accepted nothing: their producers hold it")
        kafka.advance(to: 2)
        traffic.step(kafka, now: 2, demandMiBPerSecond: 100)
        #expect(traffic.pendingBytes < 1 && traffic.lagMessages < 1, "after the move the new leader caught up")
        kafka.removeBroker(1)
        let before = traffic.counters.bytesOut[1]?.values.reduce(0, +) ?? 0
        traffic.step(kafka, now: 3, demandMiBPerSecond: 100)
        #expect((traffic.counters.bytesOut[1]?.values.reduce(0, +) ?? 0) == before, "a broker that left served nothing")
        #expect(traffic.violations.isEmpty)
    }
}
