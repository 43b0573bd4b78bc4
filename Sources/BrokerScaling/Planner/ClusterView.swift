/// The cluster as the planner sees it: brokers and the partitions on them, with their load.
/// `ebb plan --input` reads it as JSON; the Kafka client produces it from Metadata and offsets.
public struct ClusterView: Sendable, Hashable, Codable {
    public var brokers: [Broker]
    public var partitions: [Partition]

    public init(brokers: [Broker], partitions: [Partition]) {
        self.brokers = brokers
        self.partitions = partitions
    }

    public struct Broker: Sendable, Hashable, Codable {
        public enum State: String, Sendable, Hashable, Codable, CaseIterable {
            /// Serving; may give and take partitions.
            case active
            /// Just added: takes partitions at once.
            case new
            /// Leaving: every partition must move off it.
            case draining
            /// Not the pool's to use (another pool's broker, a controller node, a broker without a
            /// pod): its replicas stay where they are, and it takes none.
            case fixed
        }

        public var id: Int32
        public var rack: String?
        public var state: State?

        public init(id: Int32, rack: String? = nil, state: State? = nil) {
            self.id = id
            self.rack = rack
            self.state = state
        }

        public var effectiveState: State { state ?? .active }

        /// Whether partitions may be placed on it.
        public var receives: Bool { effectiveState == .active || effectiveState == .new }
    }

    public struct Partition: Sendable, Hashable, Codable {
        public var topic: String
        public var partition: Int32
        /// Broker ids, the preferred leader first.
        public var replicas: [Int32]
        public var leader: Int32?
        /// Bytes per second produced to the partition; nil when unknown.
        public var bytesInPerSecond: Double?
        /// Bytes per second fetched from the partition; nil when unknown.
        public var bytesOutPerSecond: Double?

        public init(
            topic: String, partition: Int32, replicas: [Int32], leader: Int32? = nil, bytesInPerSecond: Double? = nil,
            bytesOutPerSecond: Double? = nil
        ) {
            self.topic = topic
            self.partition = partition
            self.replicas = replicas
            self.leader = leader
            self.bytesInPerSecond = bytesInPerSecond
            self.bytesOutPerSecond = bytesOutPerSecond
        }

        public var name: String { "\(topic)-\(partition)" }
    }
}

/// What the plan must respect.
public struct PlanConstraints: Sendable, Hashable, Codable {
    /// Keep a partition's replicas in distinct racks where there are enough racks.
    public var rackAware: Bool
    /// Most moves in flight to or from one broker (one batch).
    public var maxMovesPerBroker: Int
    /// Most moves in flight in the cluster (one batch).
    public var maxMovesPerCluster: Int
    /// Most moves in one AlterPartitionReassignments request.
    public var batchSize: Int
    /// Brokers within this fraction of the mean load count as balanced.
    public var tolerance: Double
    /// Balance leaders by reordering replicas (preferred-leader election), without moving data.
    public var allowLeadershipMoves: Bool
    /// Candidate changes (a replica moved or two exchanged) the improvement phase after the greedy
    /// passes may look at: a bound on its time that gives the same plan on every machine. 0 turns
    /// the phase off; nil is `automaticSearchBudget` for the cluster's size.
    public var searchBudget: Int?

    /// 200 candidate changes per replica and broker, at most 20 million (about 2 s of search on
    /// 100,000 brokers and 1,000,000 partitions).
    public static func automaticSearchBudget(replicas: Int, brokers: Int) -> Int { min(20_000_000, 200 * (replicas + brokers)) }

    public init(
        rackAware: Bool = true, maxMovesPerBroker: Int = 10, maxMovesPerCluster: Int = 100, batchSize: Int = 50,
        tolerance: Double = 0.05, allowLeadershipMoves: Bool = true, searchBudget: Int? = nil
    ) {
        self.searchBudget = searchBudget
        self.rackAware = rackAware
        self.maxMovesPerBroker = maxMovesPerBroker
        self.maxMovesPerCluster = maxMovesPerCluster
        self.batchSize = batchSize
        self.tolerance = tolerance
        self.allowLeadershipMoves = allowLeadershipMoves
    }

    /// The constraints a BrokerPool's `spec.reassignment` asks for.
    public init(_ spec: ReassignmentSpec) {
        self.init(
            rackAware: spec.effectiveRackAware, maxMovesPerBroker: Int(spec.effectiveMaxConcurrentMovesPerBroker),
            maxMovesPerCluster: Int(spec.effectiveMaxConcurrentMovesPerCluster), batchSize: Int(spec.effectiveBatchSize),
            tolerance: Double(spec.effectiveBalanceTolerancePercent) / 100, allowLeadershipMoves: spec.effectiveAllowLeadershipMoves)
    }
}

/// One partition's change: its replicas before and after.
public struct PartitionMove: Sendable, Hashable, Codable {
    public var topic: String
    public var partition: Int32
    public var from: [Int32]
    public var to: [Int32]
    /// Only the order (the preferred leader) changes: no data moves.
    public var leadershipOnly: Bool

    public init(topic: String, partition: Int32, from: [Int32], to: [Int32], leadershipOnly: Bool = false) {
        self.topic = topic
        self.partition = partition
        self.from = from
        self.to = to
        self.leadershipOnly = leadershipOnly
    }

    /// Replicas that change broker.
    public var replicaMoves: Int { from.filter { !to.contains($0) }.count }
}

/// The plan: ordered batches of moves, and what they achieve.
public struct ReassignmentPlan: Sendable, Hashable, Codable {
    public var batches: [[PartitionMove]]
    public var stats: PlanStats
    /// Goals the plan could not meet, each with why.
    public var unmetGoals: [String]
    /// Notes for people (such as: load unknown, balanced by partition count).
    public var notes: [String]

    public var moves: [PartitionMove] { batches.flatMap { $0 } }
}

public struct PlanStats: Sendable, Hashable, Codable {
    /// Replicas that change broker.
    public var moves: Int
    /// Partitions whose replica list changes (data or leadership).
    public var partitionsChanged: Int
    /// Partitions whose preferred leader alone changes.
    public var leadershipMoves: Int
    /// No plan can reach the goals with fewer replica moves than this.
    public var lowerBoundMoves: Int
    /// What load is balanced: bytesIn, bytesOut or partitionCount.
    public var balancedBy: String
    public var meanLoad: Double
    /// Largest distance of a remaining broker's load from the mean, as a fraction of the mean.
    public var maxDeviationBefore: Double
    public var maxDeviation: Double
    public var maxLeaderDeviation: Double?
    public var brokers: [BrokerLoad]

    public struct BrokerLoad: Sendable, Hashable, Codable {
        public var id: Int32
        public var state: ClusterView.Broker.State
        public var loadBefore: Double
        public var loadAfter: Double
        public var replicasBefore: Int
        public var replicasAfter: Int
        public var leadersAfter: Int
    }
}
