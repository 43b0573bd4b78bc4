import BrokerMetrics
import BrokerScaling
import KafkaAdmin
import KubernetesClient
import KubernetesTypes
import NIOConcurrencyHelpers

/// The Kafka port over the Kafka protocol.
public struct KafkaClusterPort: KafkaPort {
    public let clients: KafkaClients

    public init(clients: KafkaClients) { self.clients = clients }

    public func disconnect(_ pool: ObjectKey) async { await clients.close(pool) }

    public func snapshot(of pool: BrokerPool) async throws -> ClusterSnapshot {
        let client = try await clients.client(for: pool)
        let cluster = try await client.describeCluster()
        let ongoing = try await client.listReassignments()
        return ClusterSnapshot(
            brokers: cluster.brokers.map { ClusterView.Broker(id: $0.id, rack: $0.rack) },
            partitions: cluster.topics.flatMap { topic in
                topic.partitions.map {
                    ClusterView.Partition(topic: topic.name, partition: $0.index, replicas: $0.replicas, leader: $0.leader >= 0 ? $0.leader : nil)
                }
            },
            reassigning: Set(ongoing.map { "\($0.topic)-\($0.partition)" }))
    }

    public func submit(_ moves: [PartitionMove], for pool: BrokerPool) async throws -> [String] {
        let client = try await clients.client(for: pool)
        let results = try await client.alterReassignments(moves.map { (topic: $0.topic, partition: $0.partition, replicas: Optional($0.to)) })
        return results.compactMap { result in result.error.map { "\(result.topic)-\(result.partition): \($0)" } }
    }

    public func electPreferredLeaders(_ partitions: [String]?, for pool: BrokerPool) async throws {
        let client = try await clients.client(for: pool)
        let list = partitions?.compactMap { name -> TopicPartition? in
            guard let dash = name.lastIndex(of: "-"), let index = Int32(name[name.index(after: dash)...]) else { return nil }
            return TopicPartition(String(name[..<dash]), index)
        }
        _ = try await client.electPreferredLeaders(list)
    }
}
