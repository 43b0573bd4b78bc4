import KafkaAdmin

/// Offsets, consumer groups, leader elections and configs, as the Kafka face answers them.
extension SimulatedKafkaCluster {
    func listOffsets(_ request: ListOffsetsRequest, node: Int32?) -> ListOffsetsResponse {
        state.withLockedValue { state in
            ListOffsetsResponse(
                topics: request.topics.map { topic in
                    .init(
                        name: topic.name,
                        partitions: topic.partitions.map { asked in
                            guard let partition = state.topics[topic.name]?[safe: Int(asked.partitionIndex)] else {
                                return .init(partitionIndex: asked.partitionIndex, errorCode: 3)
                            }
                            if let node, partition.leader != node { return .init(partitionIndex: asked.partitionIndex, errorCode: 6) }
                            switch asked.timestamp {
                            case -1: return .init(partitionIndex: asked.partitionIndex, timestamp: -1, offset: partition.endOffset)
                            case -2: return .init(partitionIndex: asked.partitionIndex, timestamp: -1, offset: 0)
                            // No record timestamps in the simulation: nothing is found by time.
                            default: return .init(partitionIndex: asked.partitionIndex, timestamp: -1, offset: -1)
                            }
                        })
                })
        }
    }

    /// The coordinator of a group: a broker chosen by the group's name, as Kafka hashes it to
    /// a partition of __consumer_offsets.
    func coordinator(of group: String, in state: State) -> Broker? {
        let brokers = state.brokers.values.sorted { $0.id < $1.id }
        guard !brokers.isEmpty else { return nil }
        var hash: UInt32 = 2_166_136_261
        for byte in group.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return brokers[Int(hash % UInt32(brokers.count))]
    }

    func findCoordinator(_ request: FindCoordinatorRequest, version: Int16) -> FindCoordinatorResponse {
        state.withLockedValue { state in
            let keys = version >= 4 ? request.coordinatorKeys : [request.key]
            let answers = keys.map { key -> FindCoordinatorResponse.Coordinator in
                guard request.keyType == 0 else {
                    return .init(
                        key: key, nodeId: -1, host: "", port: -1, errorCode: 15, errorMessage: "no transaction coordinator in the simulation")
                }
                guard let broker = coordinator(of: key, in: state) else {
                    return .init(key: key, nodeId: -1, host: "", port: -1, errorCode: 15, errorMessage: "no broker")
                }
                let (host, port) = address(of: broker, in: state)
                return .init(key: key, nodeId: broker.id, host: host, port: port)
            }
            if version >= 4 { return FindCoordinatorResponse(coordinators: answers) }
            let one = answers[0]
            return FindCoordinatorResponse(
                errorCode: one.errorCode, errorMessage: one.errorMessage, nodeId: one.nodeId, host: one.host, port: one.port)
        }
    }

    func offsetFetch(_ request: OffsetFetchRequest, version: Int16, node: Int32?) -> OffsetFetchResponse {
        state.withLockedValue { state in
            func notCoordinator(_ group: String) -> Bool { node != nil && coordinator(of: group, in: state)?.id != node }
            func committed(_ group: String, _ wanted: [(String, [Int32])]?) -> [(String, [(Int32, Int64)])] {
                let offsets = state.groupOffsets[group] ?? [:]
                let topics = wanted ?? offsets.keys.sorted().map { ($0, offsets[$0]!.keys.sorted()) }
                return topics.map { name, partitions in (name, partitions.map { ($0, offsets[name]?[$0] ?? -1) }) }
            }
            if version >= 8 {
                return OffsetFetchResponse(
                    groups: request.groups.map { group in
                        if notCoordinator(group.groupId) { return .init(groupId: group.groupId, errorCode: 16) }
                        return .init(
                            groupId: group.groupId,
                            topics: committed(group.groupId, group.topics?.map { ($0.name, $0.partitionIndexes) }).map { name, partitions in
                                .init(name: name, partitions: partitions.map { .init(partitionIndex: $0.0, committedOffset: $0.1) })
                            })
                    })
            }
            if notCoordinator(request.groupId) { return OffsetFetchResponse(errorCode: 16) }
            return OffsetFetchResponse(
                topics: committed(request.groupId, request.topics?.map { ($0.name, $0.partitionIndexes) }).map { name, partitions in
                    .init(name: name, partitions: partitions.map { .init(partitionIndex: $0.0, committedOffset: $0.1) })
                })
        }
    }

    func groupNames(in state: State) -> [String] { Set(state.groupOffsets.keys).union(state.groupMembers.keys).sorted() }

    func groupState(_ group: String, in state: State) -> String { (state.groupMembers[group] ?? 0) > 0 ? "Stable" : "Empty" }

    /// Each broker lists the groups it coordinates.
    func listGroups(node: Int32?) -> ListGroupsResponse {
        state.withLockedValue { state in
            let names = groupNames(in: state).filter { node == nil || coordinator(of: $0, in: state)?.id == node }
            return ListGroupsResponse(
                groups: names.map { .init(groupId: $0, protocolType: "consumer", groupState: groupState($0, in: state), groupType: "classic") })
        }
    }

    func describeGroups(_ request: DescribeGroupsRequest, node: Int32?) -> DescribeGroupsResponse {
        state.withLockedValue { state in
            DescribeGroupsResponse(
                groups: request.groups.map { group in
                    if let node, coordinator(of: group, in: state)?.id != node { return .init(errorCode: 16, groupId: group) }
                    guard groupNames(in: state).contains(group) else { return .init(groupId: group, groupState: "Dead") }
                    let members = (0..<(state.groupMembers[group] ?? 0)).map {
                        DescribeGroupsResponse.DescribedGroupMember(
                            memberId: "\(group)-consumer-\($0)", clientId: "\(group)-consumer-\($0)", clientHost: "/127.0.0.1")
                    }
                    return .init(
                        groupId: group, groupState: groupState(group, in: state), protocolType: "consumer",
                        protocolData: members.isEmpty ? "" : "range", members: members)
                })
        }
    }

    func electLeaders(_ request: ElectLeadersRequest) -> ElectLeadersResponse {
        state.withLockedValue { state in
            let wanted =
                request.topicPartitions.map { $0.map { ($0.topic, $0.partitions) } }
                ?? state.topics.keys.sorted().map { ($0, (0..<Int32(state.topics[$0]!.count)).map { $0 }) }
            return ElectLeadersResponse(
                replicaElectionResults: wanted.map { topic, partitions in
                    .init(
                        topic: topic,
                        partitionResult: partitions.map { index in
                            guard let partition = state.topics[topic]?[safe: Int(index)] else {
                                return .init(partitionId: index, errorCode: 3, errorMessage: "no partition \(topic)-\(index)")
                            }
                            guard let preferred = partition.replicas.first, state.brokers[preferred] != nil else {
                                return .init(partitionId: index, errorCode: 80, errorMessage: "the preferred replica of \(topic)-\(index) is offline")
                            }
                            if partition.leader == preferred {
                                return .init(partitionId: index, errorCode: 84, errorMessage: "leader is already the preferred replica")
                            }
                            state.topics[topic]![Int(index)].leader = preferred
                            return .init(partitionId: index)
                        })
                })
        }
    }

    func describeConfigs(_ request: DescribeConfigsRequest) -> DescribeConfigsResponse {
        state.withLockedValue { state in
            DescribeConfigsResponse(
                results: request.resources.map { resource in
                    var configs: [(String, String?, Bool)]
                    switch resource.resourceType {
                    case 2:
                        guard state.topics[resource.resourceName] != nil else {
                            return .init(
                                errorCode: 3, errorMessage: "no topic \(resource.resourceName)", resourceType: 2, resourceName: resource.resourceName)
                        }
                        configs = [("cleanup.policy", "delete", true), ("retention.ms", "604800000", true), ("min.insync.replicas", "1", true)]
                    case 4:
                        guard let id = Int32(resource.resourceName), let broker = state.brokers[id] else {
                            return .init(
                                errorCode: 42, errorMessage: "no broker \(resource.resourceName)", resourceType: 4,
                                resourceName: resource.resourceName)
                        }
                        configs = [
                            ("broker.id", String(id), false), ("broker.rack", broker.rack, broker.rack == nil), ("num.network.threads", "3", true)
                        ]
                    default:
                        return .init(
                            errorCode: 42, errorMessage: "resource type \(resource.resourceType) is not simulated",
                            resourceType: resource.resourceType, resourceName: resource.resourceName)
                    }
                    if let keys = resource.configurationKeys { configs = configs.filter { keys.contains($0.0) } }
                    return .init(
                        resourceType: resource.resourceType, resourceName: resource.resourceName,
                        configs: configs.map {
                            .init(name: $0.0, value: $0.1, readOnly: true, isDefault: $0.2, configSource: $0.2 ? 5 : 4)
                        })
                })
        }
    }
}
