import Foundation

/// Brokers that share the served cluster but are no pool's: a second StatefulSet with topics of
/// its own, or combined controller nodes. Ebb must leave them and their partitions alone.
public struct ForeignBrokers: Sendable, Hashable {
    public var statefulSet: String
    public var brokerIdOffset: Int32
    public var replicas: Int
    /// A topic placed on these brokers only (nil: they hold nothing, as controller nodes).
    public var topic: String?
    public var partitions: Int
    public var replication: Int

    public init(statefulSet: String, brokerIdOffset: Int32, replicas: Int, topic: String? = nil, partitions: Int = 0, replication: Int = 1) {
        self.statefulSet = statefulSet
        self.brokerIdOffset = brokerIdOffset
        self.replicas = replicas
        self.topic = topic
        self.partitions = partitions
        self.replication = replication
    }

    /// A second broker StatefulSet (another team's) with a topic of its own.
    public static let billing = ForeignBrokers(
        statefulSet: "billing-broker", brokerIdOffset: 2000, replicas: 3, topic: "billing", partitions: 12, replication: 2)
    /// Three combined controller nodes (KRaft controllers that also register as brokers).
    public static let controllers = ForeignBrokers(statefulSet: "kafka-controller", brokerIdOffset: 3000, replicas: 3)
}

extension ServedWorld {
    /// The foreign brokers' StatefulSets (their pods come up with the pool's).
    static func installForeign(_ kubernetes: KubernetesWorld, options: Options) throws {
        guard !options.foreignBrokers.isEmpty else { return }
        guard let statefulSets = kubernetes.resources.first(where: { $0.plural == "statefulsets" }) else {
            throw FaceError(code: 500, reason: "InternalError", message: "no statefulsets")
        }
        for foreign in options.foreignBrokers {
            _ = try kubernetes.create(
                statefulSets, namespace: options.namespace,
                try JSON.yaml(
                    """
                    metadata: {name: \(foreign.statefulSet), labels: {app: \(foreign.statefulSet)}}
                    spec:
                      replicas: \(foreign.replicas)
                      serviceName: \(foreign.statefulSet)
                      selector: {matchLabels: {app: \(foreign.statefulSet)}}
                      template: {metadata: {labels: {app: \(foreign.statefulSet)}}, spec: {containers: [{name: broker, image: apache/kafka}]}}
                    """))
        }
    }

    /// The foreign topics, on their own brokers, frozen: any move of theirs is a violation.
    static func createForeignTopics(_ kafka: SimulatedKafkaCluster, world: SimulatedWorld, options: Options) {
        var topics: Set<String> = []
        for foreign in options.foreignBrokers {
            guard let topic = foreign.topic, foreign.partitions > 0, foreign.replicas > 0 else { continue }
            let replication = min(foreign.replication, foreign.replicas)
            kafka.createTopic(
                topic,
                replicas: (0..<foreign.partitions).map { index in
                    (0..<replication).map { foreign.brokerIdOffset + Int32((index + $0) % foreign.replicas) }
                })
            topics.insert(topic)
        }
        world.freeze(topics: topics)
    }

    /// The broker sets the world ties to Kafka: the pool's and the foreign ones.
    static func brokerSets(_ options: Options) -> [SimulatedWorld.BrokerSet] {
        [SimulatedWorld.BrokerSet(namespace: options.namespace, statefulSet: options.statefulSet)]
            + options.foreignBrokers.map {
                SimulatedWorld.BrokerSet(namespace: options.namespace, statefulSet: $0.statefulSet, brokerIdOffset: $0.brokerIdOffset)
            }
    }
}
