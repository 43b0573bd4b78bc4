import KafkaAdmin
import NIOConcurrencyHelpers

/// The Kafka side of the simulated world: brokers, topics and partitions, and reassignments
/// that take `moveSeconds` of simulated time, as on shared-storage Kafka. Seen through the
/// Kafka protocol by `KafkaFaceServer`.
public final class SimulatedKafkaCluster: Sendable {
    public struct Broker: Sendable, Hashable {
        public var id: Int32
        public var host: String
        public var port: Int32
        public var rack: String?

        public init(id: Int32, host: String = "127.0.0.1", port: Int32 = 9092, rack: String? = nil) {
            self.id = id
            self.host = host
            self.port = port
            self.rack = rack
        }
    }

    public struct Partition: Sendable, Hashable {
        public var replicas: [Int32]
        public var leader: Int32
        public var endOffset: Int64 = 0
    }

    struct Reassignment: Sendable, Hashable {
        var target: [Int32]
        var original: [Int32]
        var completesAt: Double
    }

    struct State: Sendable {
        var clusterId = "ebb-simulated"
        var brokers: [Int32: Broker] = [:]
        var controller: Int32 = -1
        var topics: [String: [Partition]] = [:]
        var reassignments: [String: [Int32: Reassignment]] = [:]
        var groupOffsets: [String: [String: [Int32: Int64]]] = [:]
        var groupMembers: [String: Int] = [:]
        var now: Double = 0
        var moveSeconds: Double = 1.5
        var completedMoves = 0
        /// When set, every broker is advertised at this address: one listener serves them all.
        var advertised: (host: String, port: Int32)?
        /// Brokers served by a listener of their own, at these addresses.
        var listeners: [Int32: (host: String, port: Int32)] = [:]
        /// Registered brokers whose process is gone (their pod was deleted) but whose session
        /// has not timed out: Metadata still lists them, they serve nothing.
        var unreachable: Set<Int32> = []
    }

    let state: NIOLockedValueBox<State>

    public init(moveSeconds: Double = 1.5) {
        var initial = State()
        initial.moveSeconds = moveSeconds
        state = NIOLockedValueBox(initial)
    }

    // MARK: The world's own changes

    /// Advertise every broker at `host:port`, the face's listener, so that clients that follow
    /// Metadata's addresses come back to it.
    public func advertise(host: String, port: Int) {
        state.withLockedValue { $0.advertised = (host, Int32(port)) }
    }

    /// Advertise broker `id` at `host:port`, its own listener (see `router(node:)`).
    public func advertise(broker id: Int32, host: String, port: Int) {
        state.withLockedValue { $0.listeners[id] = (host, Int32(port)) }
    }

    func address(of broker: Broker, in state: State) -> (String, Int32) {
        state.listeners[broker.id].map { ($0.host, $0.port) } ?? state.advertised.map { ($0.host, $0.port) } ?? (broker.host, broker.port)
    }

    public func addBroker(_ broker: Broker) {
        state.withLockedValue { state in
            state.brokers[broker.id] = broker
            if state.controller < 0 { state.controller = broker.id }
        }
    }

    /// The broker's process is gone (or back): it stays registered until removed, but serves nothing.
    public func setUnreachable(_ id: Int32, _ unreachable: Bool) {
        state.withLockedValue { state in
            if unreachable { state.unreachable.insert(id) } else { state.unreachable.remove(id) }
        }
    }

    public func removeBroker(_ id: Int32) {
        state.withLockedValue { state in
            state.brokers[id] = nil
            state.unreachable.remove(id)
            if state.controller == id { state.controller = state.brokers.keys.min() ?? -1 }
        }
    }

    public func createTopic(_ name: String, replicas: [[Int32]]) {
        state.withLockedValue { $0.topics[name] = replicas.map { Partition(replicas: $0, leader: $0.first ?? -1) } }
    }

    public func setEndOffset(_ topic: String, _ partition: Int32, _ offset: Int64) {
        state.withLockedValue { state in
            guard state.topics[topic]?.indices.contains(Int(partition)) == true else { return }
            state.topics[topic]![Int(partition)].endOffset = offset
        }
    }

    public func commit(group: String, topic: String, partition: Int32, offset: Int64) {
        state.withLockedValue { $0.groupOffsets[group, default: [:]][topic, default: [:]][partition] = offset }
    }

    /// How many consumers `group` has (0: the group is Empty).
    public func setMembers(group: String, _ count: Int) {
        state.withLockedValue { $0.groupMembers[group] = count }
    }

    /// The leader of a partition now.
    public func leader(_ topic: String, _ partition: Int32) -> Int32? {
        state.withLockedValue { $0.topics[topic]?[safe: Int(partition)]?.leader }
    }

    /// Moves simulated time forward; reassignments due by then complete.
    public func advance(to now: Double) {
        state.withLockedValue { state in
            state.now = now
            for (topic, partitions) in state.reassignments {
                for (index, move) in partitions where move.completesAt <= now {
                    state.topics[topic]![Int(index)].replicas = move.target
                    // As Kafka's controller: the leader stays when it is still a replica, else
                    // the first live target replica leads. Preferred leaders come back only
                    // with ElectLeaders.
                    let leader = state.topics[topic]![Int(index)].leader
                    if !move.target.contains(leader) {
                        state.topics[topic]![Int(index)].leader = move.target.first { state.brokers[$0] != nil } ?? -1
                    }
                    state.reassignments[topic]![index] = nil
                    state.completedMoves += 1
                }
                if state.reassignments[topic]?.isEmpty == true { state.reassignments[topic] = nil }
            }
        }
    }

    /// The partitions (`topic-partition`) with a replica on, or led by, `broker`.
    public func partitions(on broker: Int32) -> [String] {
        state.withLockedValue { state in
            state.topics.keys.sorted().flatMap { topic in
                state.topics[topic]!.enumerated().compactMap { index, partition in
                    partition.replicas.contains(broker) || partition.leader == broker ? "\(topic)-\(index)" : nil
                }
            }
        }
    }

    /// The brokers in the cluster now (Metadata's list, lingering ones included).
    public var brokerIds: [Int32] { state.withLockedValue { $0.brokers.keys.sorted() } }

    /// Every partition (`topic-partition`) with the brokers it is on now: its replicas, the
    /// replicas a reassignment in flight adds, and its leader.
    public var placement: [(partition: String, replicas: [Int32], adding: [Int32], leader: Int32)] {
        state.withLockedValue { state in
            state.topics.keys.sorted().flatMap { topic in
                state.topics[topic]!.enumerated().map { index, partition in
                    let move = state.reassignments[topic]?[Int32(index)]
                    let adding = move.map { move in move.target.filter { !move.original.contains($0) } } ?? []
                    return ("\(topic)-\(index)", move.map { Self.union($0.original, $0.target) } ?? partition.replicas, adding, partition.leader)
                }
            }
        }
    }

    public var completedMoves: Int { state.withLockedValue { $0.completedMoves } }

    /// Partition moves in flight now.
    public var movesInFlight: Int { state.withLockedValue { $0.reassignments.values.reduce(0) { $0 + $1.count } } }

    /// The replicas of a partition now (during a move: the union of old and new).
    public func replicas(_ topic: String, _ partition: Int32) -> [Int32]? {
        state.withLockedValue { state in
            guard let current = state.topics[topic]?[safe: Int(partition)] else { return nil }
            if let move = state.reassignments[topic]?[partition] { return Self.union(move.original, move.target) }
            return current.replicas
        }
    }

    static func union(_ a: [Int32], _ b: [Int32]) -> [Int32] { a + b.filter { !a.contains($0) } }

    // MARK: The Kafka face

    /// A router answering from this cluster: as broker `node` (leader-only and
    /// coordinator-only requests are refused for other brokers' partitions and groups, as
    /// Kafka does), or, when nil, as every broker at once behind one listener.
    public func router(node: Int32? = nil) -> KafkaFaceRouter {
        let router = KafkaFaceRouter()
        router.register(ApiVersionsRequest.self) { [router] _, _ in ApiVersionsResponse(apiKeys: router.advertised) }
        router.register(MetadataRequest.self) { [self] request, _ in metadata(request) }
        router.register(DescribeClusterRequest.self) { [self] _, _ in describeCluster() }
        // Admin requests go to the controller; after a failover (an injected fault) a broker says NOT_CONTROLLER (41).
        router.register(ListPartitionReassignmentsRequest.self) { [self, router] request, _ in
            if router.faults?.roll([.notController]) != nil {
                return ListPartitionReassignmentsResponse(errorCode: 41, errorMessage: "not the controller (injected fault)")
            }
            return listReassignments(request)
        }
        router.register(AlterPartitionReassignmentsRequest.self) { [self, router] request, _ in
            if router.faults?.roll([.notController]) != nil {
                return AlterPartitionReassignmentsResponse(errorCode: 41, errorMessage: "not the controller (injected fault)")
            }
            return alterReassignments(request)
        }
        router.register(ListOffsetsRequest.self, versions: 1...ListOffsetsRequest.validVersions.upperBound) { [self] request, _ in
            listOffsets(request, node: node)
        }
        router.register(FindCoordinatorRequest.self) { [self] request, version in findCoordinator(request, version: version) }
        router.register(OffsetFetchRequest.self, versions: 1...OffsetFetchRequest.validVersions.upperBound) { [self] request, version in
            offsetFetch(request, version: version, node: node)
        }
        router.register(ListGroupsRequest.self) { [self] _, _ in listGroups(node: node) }
        router.register(DescribeGroupsRequest.self) { [self] request, _ in describeGroups(request, node: node) }
        router.register(ElectLeadersRequest.self) { [self] request, _ in electLeaders(request) }
        router.register(DescribeConfigsRequest.self) { [self] request, _ in describeConfigs(request) }
        return router
    }

    func metadata(_ request: MetadataRequest) -> MetadataResponse {
        state.withLockedValue { state in
            let names = request.topics.flatMap { $0.isEmpty ? nil : $0.compactMap(\.name) } ?? state.topics.keys.sorted()
            return MetadataResponse(
                brokers: state.brokers.values.sorted { $0.id < $1.id }.map { broker in
                    let (host, port) = address(of: broker, in: state)
                    return .init(nodeId: broker.id, host: host, port: port, rack: broker.rack)
                },
                clusterId: state.clusterId, controllerId: state.controller,
                topics: names.map { name in
                    guard let partitions = state.topics[name] else { return .init(errorCode: 3, name: name) }
                    return .init(
                        name: name,
                        partitions: partitions.enumerated().map { index, partition in
                            let replicas = state.reassignments[name]?[Int32(index)].map { Self.union($0.original, $0.target) } ?? partition.replicas
                            let live = replicas.filter { state.brokers[$0] != nil }
                            return .init(
                                errorCode: state.brokers[partition.leader] == nil ? 5 : 0, partitionIndex: Int32(index), leaderId: partition.leader,
                                leaderEpoch: 0, replicaNodes: replicas, isrNodes: live, offlineReplicas: replicas.filter { state.brokers[$0] == nil })
                        })
                })
        }
    }

    func describeCluster() -> DescribeClusterResponse {
        state.withLockedValue { state in
            DescribeClusterResponse(
                clusterId: state.clusterId, controllerId: state.controller,
                brokers: state.brokers.values.sorted { $0.id < $1.id }.map { broker in
                    let (host, port) = address(of: broker, in: state)
                    return .init(brokerId: broker.id, host: host, port: port, rack: broker.rack)
                })
        }
    }

    func listReassignments(_ request: ListPartitionReassignmentsRequest) -> ListPartitionReassignmentsResponse {
        state.withLockedValue { state in
            let wanted = request.topics.map { Dictionary($0.map { ($0.name, Set($0.partitionIndexes)) }, uniquingKeysWith: { $0.union($1) }) }
            let topics = state.reassignments.keys.sorted().compactMap { topic -> ListPartitionReassignmentsResponse.OngoingTopicReassignment? in
                let partitions = state.reassignments[topic]!.keys.sorted().filter { wanted == nil || wanted![topic]?.contains($0) == true }
                guard !partitions.isEmpty else { return nil }
                return .init(
                    name: topic,
                    partitions: partitions.map { index in
                        let move = state.reassignments[topic]![index]!
                        return .init(
                            partitionIndex: index, replicas: Self.union(move.original, move.target),
                            addingReplicas: move.target.filter { !move.original.contains($0) },
                            removingReplicas: move.original.filter { !move.target.contains($0) })
                    })
            }
            return ListPartitionReassignmentsResponse(topics: topics)
        }
    }

    func alterReassignments(_ request: AlterPartitionReassignmentsRequest) -> AlterPartitionReassignmentsResponse {
        state.withLockedValue { state in
            AlterPartitionReassignmentsResponse(
                responses: request.topics.map { topic in
                    .init(
                        name: topic.name,
                        partitions: topic.partitions.map { partition in
                            let index = partition.partitionIndex
                            guard let current = state.topics[topic.name]?[safe: Int(index)] else {
                                return .init(partitionIndex: index, errorCode: 3, errorMessage: "no partition \(topic.name)-\(index)")
                            }
                            guard let target = partition.replicas else {
                                // Cancel: back to the original replicas.
                                guard state.reassignments[topic.name]?[index] != nil else {
                                    return .init(
                                        partitionIndex: index, errorCode: 85, errorMessage: "no reassignment of \(topic.name)-\(index) in progress")
                                }
                                state.reassignments[topic.name]![index] = nil
                                return .init(partitionIndex: index)
                            }
                            guard !target.isEmpty, Set(target).count == target.count, target.allSatisfy({ state.brokers[$0] != nil }) else {
                                return .init(
                                    partitionIndex: index, errorCode: 39, errorMessage: "replicas \(target) name a missing or repeated broker")
                            }
                            let original = state.reassignments[topic.name]?[index]?.original ?? current.replicas
                            state.reassignments[topic.name, default: [:]][index] = Reassignment(
                                target: target, original: original, completesAt: state.now + state.moveSeconds)
                            return .init(partitionIndex: index)
                        })
                })
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
