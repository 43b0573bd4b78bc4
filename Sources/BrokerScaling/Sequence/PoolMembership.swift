/// A pod of the pool's StatefulSet, as one reconcile saw it.
public struct BrokerPod: Sendable, Hashable, Codable {
    public var ordinal: Int32
    /// Ready as the kubelet reports it, and not being deleted.
    public var ready: Bool

    public init(ordinal: Int32, ready: Bool) {
        self.ordinal = ordinal
        self.ready = ready
    }
}

/// Which brokers are the pool's, and which of them partitions may go to. Pure: computed from
/// the StatefulSet's ordinals (broker id = `brokerIdOffset` + ordinal), its pods, the brokers
/// Kafka registers, and the victims of a running scale-in.
///
/// - A **member** is a pool broker whose pod exists and is ready and whose broker is registered.
/// - A **target** is a member the pool keeps: not a victim, its ordinal below the replicas the
///   pool is heading for. Partitions go to targets only.
/// - A broker Kafka still lists without a pod (its session has not timed out yet), a broker of
///   another StatefulSet or a controller node is never a target. Replicas on brokers outside the
///   pool stay where they are unless `spec.ownership.brokerIds` names the broker.
public struct PoolMembership: Sendable, Hashable {
    /// Ids the pool's StatefulSet maps its ordinals to: `brokerIdOffset` up to
    /// `brokerIdOffset + maxReplicas - 1` (further when the StatefulSet or its pods reach beyond).
    public let poolIds: ClosedRange<Int64>
    /// Pool brokers with a ready pod and a registered broker.
    public let members: Set<Int32>
    /// Members the pool keeps: the only brokers partitions may be placed on.
    public let targets: Set<Int32>
    /// Pool ids that stay after the running scale-in (ordinals below its target), whether or
    /// not their pod is ready now: a replica on one of them is where it belongs.
    public let staying: Set<Int32>
    /// Victims of the running scale-in.
    public let victims: Set<Int32>
    /// Brokers outside the pool whose replicas the pool moves onto its targets (`spec.ownership`).
    public let adopted: Set<Int32>
    /// Registered brokers, with their racks.
    public let registered: [Int32: String?]

    /// - Parameters:
    ///   - keep: the replicas the pool keeps (the scale-in's target while draining, else the
    ///     StatefulSet's replicas).
    public init(spec: BrokerPoolSpec, statefulSetReplicas: Int32, keep: Int32, pods: [BrokerPod], registered: [ClusterView.Broker], victims: [Int32])
    {
        let offset = Int64(spec.effectiveBrokerIdOffset)
        let reach =
            ([Int64(spec.maxReplicas), Int64(statefulSetReplicas)] + pods.map { Int64($0.ordinal) + 1 } + victims.map { Int64($0) - offset + 1 })
            .max() ?? 1
        let ids = offset...(offset + max(1, reach) - 1)
        let known = Dictionary(registered.map { ($0.id, $0.rack) }, uniquingKeysWith: { first, _ in first })
        let ready = Set(pods.filter(\.ready).map { Int32(clamping: offset + Int64($0.ordinal)) })
        let live = ready.filter { known[$0] != nil }
        let stay = Set((0..<Int64(max(0, keep))).map { Int32(clamping: offset + $0) }).subtracting(victims)
        poolIds = ids
        self.registered = known
        self.victims = Set(victims)
        members = live
        staying = stay
        targets = live.intersection(stay)
        adopted = spec.effectiveOwnership.effectiveBrokerIds.filter { !ids.contains(Int64($0)) }
    }

    /// Whether `id` is one of the pool's ids (whether or not it has a pod or a broker now).
    public func isPoolId(_ id: Int32) -> Bool { poolIds.contains(Int64(id)) }

    /// What the planner may do with the replicas on `id`.
    public func state(of id: Int32) -> ClusterView.Broker.State {
        if targets.contains(id) { return .active }
        if victims.contains(id) || adopted.contains(id) { return .draining }
        // A pool broker scaled away that still holds a replica (it left without a drain): the
        // replica moves off. One the pool keeps but whose pod is not ready (starting, crashed)
        // comes back: its replicas wait for it.
        if isPoolId(id), !staying.contains(id), !members.contains(id) { return .draining }
        return .fixed
    }

    /// The cluster as the planner may change it: the targets (new when they hold nothing), every
    /// broker holding a replica of a partition the pool touches, and those partitions: every
    /// partition with a replica on a broker whose replicas may move. Partitions wholly on fixed
    /// brokers (another pool's, a controller's) are left out: the plan cannot touch them.
    public func planningView(_ cluster: ClusterSnapshot) -> ClusterView {
        var states: [Int32: ClusterView.Broker.State] = [:]
        func state(_ id: Int32) -> ClusterView.Broker.State {
            if let known = states[id] { return known }
            let found = self.state(of: id)
            states[id] = found
            return found
        }
        let partitions = cluster.partitions.filter { partition in partition.replicas.contains { state($0) != .fixed } }
        var holding: Set<Int32> = []
        for partition in partitions { holding.formUnion(partition.replicas) }
        let ids = holding.union(targets).sorted()
        let brokers = ids.map { id -> ClusterView.Broker in
            var broker = ClusterView.Broker(id: id, rack: registered[id] ?? nil, state: state(id))
            if broker.state == .active, !holding.contains(id) { broker.state = .new }
            return broker
        }
        return ClusterView(brokers: brokers, partitions: partitions)
    }

    /// What keeps a scale-in from going ahead, checked over the whole placement: a replica or a
    /// leader on a victim, or a replica on a pool broker that does not stay (a broker Kafka
    /// still lists after its pod went). Each names the partition and the brokers.
    public func misplaced(_ cluster: ClusterSnapshot) -> [Misplaced] {
        cluster.partitions.compactMap { partition in
            var brokers = partition.replicas.filter { victims.contains($0) || (isPoolId($0) && !staying.contains($0)) }
            if let leader = partition.leader, victims.contains(leader), !brokers.contains(leader) { brokers.append(leader) }
            return brokers.isEmpty ? nil : Misplaced(partition: partition.name, brokers: brokers)
        }
    }

    public struct Misplaced: Sendable, Hashable, CustomStringConvertible {
        public var partition: String
        public var brokers: [Int32]
        public var description: String {
            "\(partition) on \(brokers.count == 1 ? "broker" : "brokers") \(brokers.map(String.init).joined(separator: ", "))"
        }
    }

    /// At most `limit` of `misplaced`, for a condition message.
    public static func describe(_ misplaced: [Misplaced], limit: Int = 10) -> String {
        let shown = misplaced.prefix(limit).map(\.description).joined(separator: "; ")
        return misplaced.count > limit ? "\(shown); and \(misplaced.count - limit) more" : shown
    }

    /// The pods the StatefulSet's counts imply when the pods themselves were not listed:
    /// ordinals 0 ..< pods, the first `ready` of them ready.
    public static func impliedPods(pods: Int32, ready: Int32) -> [BrokerPod] {
        (0..<max(0, pods)).map { BrokerPod(ordinal: $0, ready: $0 < ready) }
    }
}
