/// One partition's answer to a leader election.
public struct ElectionResult: Sendable, Hashable, Codable {
    public var topic: String
    public var partition: Int32
    /// nil when the preferred replica leads now (elected, or already leading).
    public var error: String?
}

/// One configuration entry as DescribeConfigs reports it.
public struct ConfigEntry: Sendable, Hashable, Codable {
    public var name: String
    /// nil for sensitive values and for entries without one.
    public var value: String?
    public var isDefault: Bool
    public var isSensitive: Bool
    public var readOnly: Bool
}

/// What DescribeConfigs describes.
public enum ConfigResource: Sendable, Hashable, CustomStringConvertible {
    case topic(String)
    case broker(Int32)

    var type: Int8 {
        switch self {
        case .topic: return 2
        case .broker: return 4
        }
    }

    var name: String {
        switch self {
        case .topic(let name): return name
        case .broker(let id): return String(id)
        }
    }

    public var description: String {
        switch self {
        case .topic(let name): return "topic \(name)"
        case .broker(let id): return "broker \(id)"
        }
    }
}

extension KafkaAdminClient {
    /// Makes the preferred (first) replica the leader of each partition, or of every partition
    /// when `partitions` is nil. A partition whose preferred replica already leads is a success.
    public func electPreferredLeaders(_ partitions: [TopicPartition]?) async throws(KafkaClientError) -> [ElectionResult] {
        let topics = partitions.map { list in
            Dictionary(grouping: list, by: \.topic).sorted { $0.key < $1.key }.map {
                ElectLeadersRequest.TopicPartitions(topic: $0.key, partitions: $0.value.map(\.partition).sorted())
            }
        }
        let response = try await retrying { () async throws(KafkaClientError) -> ElectLeadersResponse in
            if controllerAddress() == nil { _ = try await describeCluster(topics: []) }
            // electionType 0 is "preferred"; v0 has no type and always elects the preferred replica.
            let answer = try await send(ElectLeadersRequest(electionType: 0, topicPartitions: topics, timeoutMs: 30_000), to: controllerAddress())
            if answer.errorCode != 0 {
                throw .kafka(api: "ElectLeaders", broker: controllerAddress() ?? "cluster", code: KafkaErrorCode(answer.errorCode), message: nil)
            }
            return answer
        }
        return response.replicaElectionResults.flatMap { topic in
            topic.partitionResult.map { result in
                // ELECTION_NOT_NEEDED: the preferred replica already leads.
                let ok = result.errorCode == 0 || result.errorCode == 84
                return ElectionResult(
                    topic: topic.topic, partition: result.partitionId,
                    error: ok ? nil : "\(KafkaErrorCode(result.errorCode))\(result.errorMessage.map { ": \($0)" } ?? "")")
            }
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// The configuration of a topic or broker (only `keys` when given). Broker configs are
    /// asked of that broker, as Kafka requires for its dynamic values.
    public func describeConfigs(_ resource: ConfigResource, keys: [String]? = nil) async throws(KafkaClientError) -> [ConfigEntry] {
        try await retrying { () async throws(KafkaClientError) -> [ConfigEntry] in
            var target: String?
            if case .broker(let id) = resource {
                let cluster = try await describeCluster(topics: [])
                guard let broker = cluster.brokers.first(where: { $0.id == id }) else {
                    throw .noBroker(
                        detail:
                            "DescribeConfigs: broker \(id) is not in the cluster (brokers: \(cluster.brokers.map { String($0.id) }.joined(separator: ", ")))"
                    )
                }
                target = "\(broker.host):\(broker.port)"
            }
            let request = DescribeConfigsRequest(resources: [.init(resourceType: resource.type, resourceName: resource.name, configurationKeys: keys)]
            )
            let response = try await send(request, to: target)
            guard let result = response.results.first else {
                throw .protocolViolation(broker: target ?? "cluster", detail: "DescribeConfigs answered without \(resource)")
            }
            guard result.errorCode == 0 else {
                throw .kafka(
                    api: "DescribeConfigs", broker: target ?? "cluster", code: KafkaErrorCode(result.errorCode),
                    message: result.errorMessage ?? "\(resource)")
            }
            return result.configs.map {
                ConfigEntry(
                    name: $0.name, value: $0.isSensitive ? nil : $0.value, isDefault: $0.isDefault || $0.configSource == 5,
                    isSensitive: $0.isSensitive, readOnly: $0.readOnly)
            }.sorted { $0.name < $1.name }
        }
    }
}
