import EbbTestSupport
import Foundation
import KafkaAdmin
import Simulator
import Testing

/// Offsets, consumer lag, groups, leader elections and configs through the Kafka face.
struct KafkaFaceGroupTests {
    let face = KafkaFaceTests()

    @Test func consumerLagIsLogEndMinusCommitted() async throws {
        let cluster = KafkaFaceTests.cluster()
        for (partition, end) in [(0, 1_000), (1, 500), (2, 70), (3, 0)] { cluster.setEndOffset("orders", Int32(partition), Int64(end)) }
        cluster.commit(group: "fulfilment", topic: "orders", partition: 0, offset: 400)
        cluster.commit(group: "fulfilment", topic: "orders", partition: 1, offset: 500)
        cluster.commit(group: "fulfilment", topic: "orders", partition: 2, offset: 10)
        cluster.setMembers(group: "fulfilment", 3)
        let lag = try await face.withFace(cluster) { _, client in try await client.consumerLag(group: "fulfilment") }
        #expect(lag.group == "fulfilment")
        #expect(lag.state == "Stable")
        #expect(lag.partitions.map(\.partition) == [0, 1, 2])
        #expect(lag.partitions.map(\.lag) == [600, 0, 60])
        #expect(lag.partitions.map(\.logEnd) == [1_000, 500, 70])
        #expect(lag.totalLag == 660)
    }

    @Test func aGroupWithNoCommitsHasNoLagRatherThanAnError() async throws {
        let cluster = KafkaFaceTests.cluster()
        let lag = try await face.withFace(cluster) { _, client in try await client.consumerLag(group: "nobody") }
        #expect(lag.partitions.isEmpty)
        #expect(lag.state == "Dead")
        #expect(lag.totalLag == 0)
    }

    @Test func produceRatesComeFromTwoOffsetReads() async throws {
        let cluster = KafkaFaceTests.cluster()
        let (first, second) = try await face.withFace(cluster) { _, client in
            let first = try await client.endOffsets(topics: ["orders"], time: 100)
            cluster.setEndOffset("orders", 0, 3_000)
            cluster.setEndOffset("orders", 2, 150)
            let second = try await client.endOffsets(topics: ["orders"], time: 110)
            return (first, second)
        }
        #expect(first.offsets.count == 4)
        let rates = OffsetSnapshot.produceRates(from: first, to: second)
        #expect(rates[TopicPartition("orders", 0)] == 300)
        #expect(rates[TopicPartition("orders", 1)] == 0)
        #expect(rates[TopicPartition("orders", 2)] == 15)
        // A partition recreated with a lower offset is left out, never negative.
        var shrunk = second
        shrunk.offsets[TopicPartition("orders", 0)] = 5
        #expect(OffsetSnapshot.produceRates(from: second, to: shrunk)[TopicPartition("orders", 0)] == nil)
    }

    @Test func groupsAreListedAndDescribed() async throws {
        let cluster = KafkaFaceTests.cluster()
        cluster.commit(group: "search-indexer", topic: "clickstream", partition: 0, offset: 1)
        cluster.setMembers(group: "fulfilment", 2)
        let (listed, described) = try await face.withFace(cluster) { _, client in
            (try await client.listGroups(), try await client.describeGroups(["fulfilment", "search-indexer"]))
        }
        #expect(listed.map(\.group) == ["fulfilment", "search-indexer"])
        #expect(described.map(\.state) == ["Stable", "Empty"])
        #expect(described.map(\.members) == [2, 0])
    }

    @Test func preferredLeadersReturnAfterAMove() async throws {
        let cluster = KafkaFaceTests.cluster()
        let results = try await face.withFace(cluster) { _, client in
            // orders-0 on [1000] becomes [1002, 1000]: 1000 stays leader until an election.
            _ = try await client.alterReassignments([(topic: "orders", partition: 0, replicas: [1002, 1000])])
            cluster.advance(to: 2)
            #expect(cluster.leader("orders", 0) == 1000)
            return try await client.electPreferredLeaders([TopicPartition("orders", 0), TopicPartition("orders", 1), TopicPartition("orders", 9)])
        }
        #expect(cluster.leader("orders", 0) == 1002)
        #expect(results.map(\.partition) == [0, 1, 9])
        #expect(results[0].error == nil)
        #expect(results[1].error == nil, "already the preferred leader is a success")
        #expect(results[2].error?.contains("UNKNOWN_TOPIC_OR_PARTITION") == true)
    }

    @Test func configsOfTopicsAndBrokers() async throws {
        let cluster = KafkaFaceTests.cluster()
        try await face.withFace(cluster) { _, client in
            let topic = try await client.describeConfigs(.topic("orders"))
            #expect(topic.first { $0.name == "cleanup.policy" }?.value == "delete")
            let broker = try await client.describeConfigs(.broker(1001), keys: ["broker.rack"])
            #expect(broker.map(\.name) == ["broker.rack"])
            #expect(broker.first?.value == "rack-2")
            await #expect {
                try await client.describeConfigs(.topic("missing"))
            } throws: { error in
                "\(error)".contains("DescribeConfigs") && "\(error)".contains("UNKNOWN_TOPIC_OR_PARTITION")
            }
            await #expect {
                try await client.describeConfigs(.broker(7))
            } throws: { error in
                "\(error)".contains("broker 7 is not in the cluster")
            }
        }
    }
}

/// Ebb's client against a listener per broker: each request must reach the right broker
/// (leaders for offsets, the coordinator for a group), or the face refuses it as Kafka would.
struct KafkaFaceRoutingTests {
    @Test func lagAsksLeadersAndTheCoordinator() async throws {
        let cluster = KafkaPythonCrossCheckTests.world()
        let listeners = try await KafkaFaceListeners.start(cluster)
        let client = KafkaAdminClient(.init(bootstrapServers: [listeners.address(of: 1001)!], requestTimeout: .seconds(5), retries: 1))
        let lag: ConsumerGroupLag
        do {
            lag = try await client.consumerLag(group: "fulfilment")
        } catch {
            await client.close()
            await listeners.stopAll()
            throw error
        }
        await client.close()
        await listeners.stopAll()
        #expect(lag.partitions.map(\.lag) == [200, 2])
        #expect(lag.coordinator != listeners.bootstrap, "the coordinator is one broker's address")
    }

    @Test func aVanishedBootstrapBrokerIsNotNeededOnceTheClusterIsKnown() async throws {
        let cluster = KafkaFaceTests.cluster()
        let listeners = try await KafkaFaceListeners.start(cluster)
        let bootstrap = listeners.address(of: 1000)!
        let client = KafkaAdminClient(.init(bootstrapServers: [bootstrap], requestTimeout: .seconds(5), retries: 1))
        do {
            _ = try await client.describeCluster()
            await listeners.stop(broker: 1000)
            cluster.removeBroker(1000)
            let after = try await client.describeCluster()
            #expect(after.brokers.map(\.id) == [1001, 1002])
        } catch {
            Issue.record("\(error)")
        }
        await client.close()
        await listeners.stopAll()
    }
}

/// `ebb kafka lag`, the command people run, against a listener per broker.
struct EbbKafkaLagCommandTests {
    static func ebb(_ arguments: [String]) async throws -> RealParts.Run { try await RealParts.run(RealParts.ebb, arguments) }

    @Test func printsLagAsATableAndAsJSON() async throws {
        let cluster = KafkaPythonCrossCheckTests.world()
        let listeners = try await KafkaFaceListeners.start(cluster)
        let text = try await Self.ebb(["kafka", "lag", "--bootstrap", listeners.bootstrap, "--group", "fulfilment"])
        let json = try await Self.ebb(["kafka", "lag", "--bootstrap", listeners.bootstrap, "--group", "fulfilment", "--output", "json"])
        let missingPassword = try await Self.ebb([
            "kafka", "lag", "--bootstrap", listeners.bootstrap, "--group", "g", "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "u"
        ])
        await listeners.stopAll()

        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Group fulfilment (Stable"))
        #expect(text.stdout.contains("202 records behind"))
        #expect(text.stdout.contains("orders-0   1000       1200     200"), "\(text.stdout)")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(decoded.first?["totalLag"] as? Int == 202)
        #expect(missingPassword.status != 0)
        #expect(missingPassword.stderr.contains("SASL needs a password"))
    }
}
