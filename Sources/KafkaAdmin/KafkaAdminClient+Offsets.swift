/// A topic and partition.
public struct TopicPartition: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)-\(partition)" }

    public static func < (a: TopicPartition, b: TopicPartition) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
}

/// Which offset ListOffsets asks for.
public enum OffsetPosition: Sendable, Hashable {
    /// The high watermark: the offset the next produced record gets.
    case latest
    /// The log start offset.
    case earliest

    var timestamp: Int64 { self == .latest ? -1 : -2 }
}

/// Log end offsets read at one moment; two of them give produce rates.
public struct OffsetSnapshot: Sendable, Hashable {
    /// Seconds on any clock that only goes forward (the caller's).
    public var time: Double
    public var offsets: [TopicPartition: Int64]

    public init(time: Double, offsets: [TopicPartition: Int64]) {
        self.time = time
        self.offsets = offsets
    }

    /// Records per second for each partition seen in both snapshots. A partition whose offset
    /// went backwards (deleted and recreated) is left out rather than reported negative.
    public static func produceRates(from earlier: OffsetSnapshot, to later: OffsetSnapshot) -> [TopicPartition: Double] {
        let seconds = later.time - earlier.time
        guard seconds > 0 else { return [:] }
        var rates: [TopicPartition: Double] = [:]
        for (partition, end) in later.offsets {
            guard let start = earlier.offsets[partition], end >= start else { continue }
            let (records, overflow) = end.subtractingReportingOverflow(start)
            guard !overflow else { continue }
            rates[partition] = Double(records) / seconds
        }
        return rates
    }
}

/// A consumer group's committed offsets against the log end offsets.
public struct ConsumerGroupLag: Sendable, Hashable, Codable {
    public struct Partition: Sendable, Hashable, Codable {
        public var topic: String
        public var partition: Int32
        /// The group's committed offset; nil when the group has none for this partition.
        public var committed: Int64?
        public var logEnd: Int64
        /// Records behind; nil when nothing is committed.
        public var lag: Int64?
    }

    public var group: String
    public var state: String?
    public var coordinator: String
    public var partitions: [Partition]

    /// Total records behind over the partitions with a committed offset (at most Int64.max).
    public var totalLag: Int64 { lag(of: nil) }

    /// Records behind over the partitions of `topics` (all when nil), at most Int64.max.
    public func lag(of topics: Set<String>?) -> Int64 {
        partitions.reduce(Int64(0)) { total, partition in
            guard topics?.contains(partition.topic) ?? true else { return total }
            let (sum, overflow) = total.addingReportingOverflow(partition.lag ?? 0)
            return overflow ? .max : sum
        }
    }
}

/// A consumer group as ListGroups and DescribeGroups see it.
public struct ConsumerGroupSummary: Sendable, Hashable, Codable {
    public var group: String
    public var protocolType: String
    public var state: String?
    public var members: Int?
}

extension KafkaAdminClient {
    /// Offsets at `position` for `partitions`, each asked of its leader.
    public func listOffsets(_ partitions: [TopicPartition], at position: OffsetPosition = .latest) async throws(KafkaClientError) -> [TopicPartition:
        Int64]
    {
        try await answeredOffsets(partitions, at: position).mapValues(\.offset)
    }

    /// Offsets at `position`, each with the broker that answered it. An offset below 0 is a
    /// malformed answer naming that broker and the partition: nothing computes with it.
    func answeredOffsets(_ partitions: [TopicPartition], at position: OffsetPosition) async throws(KafkaClientError) -> [TopicPartition: (
        offset: Int64, broker: String
    )] {
        guard !partitions.isEmpty else { return [:] }
        return try await retrying { () async throws(KafkaClientError) -> [TopicPartition: (offset: Int64, broker: String)] in
            let cluster = try await describeCluster(topics: Set(partitions.map(\.topic)).sorted())
            let addresses = Dictionary(cluster.brokers.map { ($0.id, "\($0.host):\($0.port)") }, uniquingKeysWith: { first, _ in first })
            var leaders: [TopicPartition: Int32] = [:]
            for topic in cluster.topics {
                for partition in topic.partitions { leaders[TopicPartition(topic.name, partition.index)] = partition.leader }
            }
            var byLeader: [String: [TopicPartition]] = [:]
            for partition in partitions {
                guard let leader = leaders[partition], let address = addresses[leader] else {
                    throw .kafka(api: "ListOffsets", broker: "cluster", code: KafkaErrorCode(5), message: "no leader known for \(partition)")
                }
                byLeader[address, default: []].append(partition)
            }
            var offsets: [TopicPartition: (offset: Int64, broker: String)] = [:]
            for (address, owned) in byLeader.sorted(by: { $0.key < $1.key }) {
                let topics = Dictionary(grouping: owned, by: \.topic).sorted { $0.key < $1.key }.map { topic, parts in
                    ListOffsetsRequest.ListOffsetsTopic(
                        name: topic, partitions: parts.map { .init(partitionIndex: $0.partition, timestamp: position.timestamp) })
                }
                // v0 answers with a list of old-style offsets; every broker since 0.10.1 speaks v1.
                let response = try await send(
                    ListOffsetsRequest(replicaId: -1, topics: topics, timeoutMs: 30_000), to: address,
                    versions: 1...ListOffsetsRequest.validVersions.upperBound)
                for topic in response.topics {
                    for answer in topic.partitions {
                        guard answer.errorCode == 0 else {
                            throw .kafka(
                                api: "ListOffsets", broker: address, code: KafkaErrorCode(answer.errorCode),
                                message: "\(topic.name)-\(answer.partitionIndex)")
                        }
                        guard answer.offset >= 0 else {
                            throw .malformed(
                                api: "ListOffsets", broker: address,
                                detail: "\(topic.name)-\(answer.partitionIndex): offset \(answer.offset) is negative")
                        }
                        offsets[TopicPartition(topic.name, answer.partitionIndex)] = (answer.offset, address)
                    }
                }
            }
            return offsets
        }
    }

    /// Log end offsets of every partition of `topics` (every topic when nil), stamped with `time`.
    public func endOffsets(topics: [String]? = nil, time: Double) async throws(KafkaClientError) -> OffsetSnapshot {
        let cluster = try await describeCluster(topics: topics)
        let partitions = cluster.topics.filter { !$0.isInternal && $0.error == nil }.flatMap { topic in
            topic.partitions.map { TopicPartition(topic.name, $0.index) }
        }
        return OffsetSnapshot(time: time, offsets: try await listOffsets(partitions))
    }

    /// The address of `group`'s coordinator.
    public func findCoordinator(group: String) async throws(KafkaClientError) -> String {
        try await retrying { () async throws(KafkaClientError) -> String in
            // Up to v3 the key is a single field; from v4 a list. Both are set; the codec writes
            // the one the negotiated version has.
            let response = try await send(FindCoordinatorRequest(key: group, keyType: 0, coordinatorKeys: [group]))
            let (code, message, host, port) =
                response.coordinators.first.map { ($0.errorCode, $0.errorMessage, $0.host, $0.port) }
                ?? (response.errorCode, response.errorMessage, response.host, response.port)
            guard code == 0 else {
                throw .kafka(api: "FindCoordinator", broker: "cluster", code: KafkaErrorCode(code), message: message ?? "group \(group)")
            }
            return "\(host):\(port)"
        }
    }

    /// `group`'s committed offsets, from its coordinator. Partitions without a commit are left out.
    public func committedOffsets(group: String) async throws(KafkaClientError) -> [TopicPartition: Int64] {
        try await retrying { () async throws(KafkaClientError) -> [TopicPartition: Int64] in
            try await committedOffsets(group: group, at: try await findCoordinator(group: group))
        }
    }

    /// OffsetFetch for `group` at its coordinator, once.
    func committedOffsets(group: String, at coordinator: String) async throws(KafkaClientError) -> [TopicPartition: Int64] {
        // v0 reads ZooKeeper offsets only and cannot ask for all topics; v2+ can (null topics).
        let request = OffsetFetchRequest(groupId: group, topics: nil, groups: [.init(groupId: group, topics: nil)])
        let response = try await send(request, to: coordinator, versions: 2...OffsetFetchRequest.validVersions.upperBound)
        var offsets: [TopicPartition: Int64] = [:]
        func take(_ code: Int16, _ partition: TopicPartition, _ offset: Int64) throws(KafkaClientError) {
            guard code == 0 else {
                throw .kafka(api: "OffsetFetch", broker: coordinator, code: KafkaErrorCode(code), message: "group \(group), \(partition)")
            }
            // -1 is "no offset committed"; anything lower cannot be an offset.
            guard offset >= -1 else {
                throw .malformed(
                    api: "OffsetFetch", broker: coordinator, detail: "group \(group), \(partition): committed offset \(offset) is negative")
            }
            if offset >= 0 { offsets[partition] = offset }
        }
        if let answer = response.groups.first {
            guard answer.errorCode == 0 else {
                throw .kafka(api: "OffsetFetch", broker: coordinator, code: KafkaErrorCode(answer.errorCode), message: "group \(group)")
            }
            for topic in answer.topics {
                for p in topic.partitions { try take(p.errorCode, TopicPartition(topic.name, p.partitionIndex), p.committedOffset) }
            }
        } else {
            guard response.errorCode == 0 else {
                throw .kafka(api: "OffsetFetch", broker: coordinator, code: KafkaErrorCode(response.errorCode), message: "group \(group)")
            }
            for topic in response.topics {
                for p in topic.partitions { try take(p.errorCode, TopicPartition(topic.name, p.partitionIndex), p.committedOffset) }
            }
        }
        return offsets
    }

    /// How far `group` is behind on every partition it has committed to.
    public func consumerLag(group: String) async throws(KafkaClientError) -> ConsumerGroupLag {
        // The coordinator is found once for both of its requests (a moved coordinator is a
        // retriable error, and the retry finds it again).
        let (coordinator, committed, state) = try await retrying { () async throws(KafkaClientError) -> (String, [TopicPartition: Int64], String) in
            let coordinator = try await findCoordinator(group: group)
            let committed = try await committedOffsets(group: group, at: coordinator)
            let state = try await describeGroup(group, at: coordinator).state
            return (coordinator, committed, state ?? "")
        }
        let ends = try await answeredOffsets(Array(committed.keys), at: .latest)
        var partitions: [ConsumerGroupLag.Partition] = []
        for partition in committed.keys.sorted() {
            let end = ends[partition]?.offset ?? 0
            let offset = committed[partition]
            // Both are >= 0 here (checked as they were read), so end - offset cannot overflow. A
            // group may commit beyond the log end (Kafka accepts any offset): no records behind.
            partitions.append(
                .init(topic: partition.topic, partition: partition.partition, committed: offset, logEnd: end, lag: offset.map { max(0, end - $0) }))
        }
        return ConsumerGroupLag(group: group, state: state.isEmpty ? nil : state, coordinator: coordinator, partitions: partitions)
    }

    /// Every group of every broker (each broker lists the groups it coordinates).
    public func listGroups() async throws(KafkaClientError) -> [ConsumerGroupSummary] {
        let cluster = try await describeCluster(topics: [])
        var groups: [String: ConsumerGroupSummary] = [:]
        for broker in cluster.brokers {
            let address = "\(broker.host):\(broker.port)"
            let response = try await retrying { () async throws(KafkaClientError) -> ListGroupsResponse in
                let answer = try await send(ListGroupsRequest(), to: address)
                guard answer.errorCode == 0 else {
                    throw .kafka(api: "ListGroups", broker: address, code: KafkaErrorCode(answer.errorCode), message: nil)
                }
                return answer
            }
            for group in response.groups {
                groups[group.groupId] = .init(
                    group: group.groupId, protocolType: group.protocolType, state: group.groupState.isEmpty ? nil : group.groupState)
            }
        }
        return groups.values.sorted { $0.group < $1.group }
    }

    /// State, protocol and member count of each group, from its coordinator.
    public func describeGroups(_ groups: [String]) async throws(KafkaClientError) -> [ConsumerGroupSummary] {
        var summaries: [ConsumerGroupSummary] = []
        for group in groups {
            let summary = try await retrying { () async throws(KafkaClientError) -> ConsumerGroupSummary in
                try await describeGroup(group, at: try await findCoordinator(group: group))
            }
            summaries.append(summary)
        }
        return summaries
    }

    /// DescribeGroups for one group at its coordinator, once.
    func describeGroup(_ group: String, at coordinator: String) async throws(KafkaClientError) -> ConsumerGroupSummary {
        let response = try await send(DescribeGroupsRequest(groups: [group]), to: coordinator)
        guard let described = response.groups.first(where: { $0.groupId == group }) else {
            throw .protocolViolation(broker: coordinator, detail: "DescribeGroups answered without group \(group)")
        }
        guard described.errorCode == 0 else {
            throw .kafka(api: "DescribeGroups", broker: coordinator, code: KafkaErrorCode(described.errorCode), message: "group \(group)")
        }
        return .init(group: group, protocolType: described.protocolType, state: described.groupState, members: described.members.count)
    }
}
