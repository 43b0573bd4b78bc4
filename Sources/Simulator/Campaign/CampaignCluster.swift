import BrokerScaling

/// The parameters of a simulated campaign day.
public struct CampaignSettings: Sendable, Hashable, Codable {
    /// Produce throughput of the whole cluster at multiplier 1, in MiB/s.
    public var baselineMiBPerSecond: Double = 300
    /// What one broker can serve, in MiB/s.
    public var brokerCapacityMiBPerSecond: Double = 150
    /// Seconds from a pod's creation until its broker serves.
    public var podStartSeconds: Double = 60
    /// Seconds a partition does not serve while it moves (AutoMQ: about 1.5 s).
    public var moveSeconds: Double = 1.5
    /// Consumer lag above this many messages breaks the SLO.
    public var lagSLOMessages: Double = 100_000
    /// Average record size, to turn bytes into messages.
    public var recordBytes: Double = 1_024
    /// Simulation step, in seconds.
    public var stepSeconds: Double = 5
    /// AutoMQ keeps one replica per partition: durability is the object store's.
    public var replication = 1
    /// Seconds before the partitions of a broker that vanished are failed over elsewhere.
    public var failoverSeconds: Double = 30
    /// Topics and their partition counts (an e-commerce platform's).
    public var topics: [String: Int] = ["orders": 24, "carts": 12, "inventory": 12, "payments": 12, "clickstream": 48, "recommendations": 12]

    public init() {}
}

/// The Kafka cluster of one strategy's run: brokers that take time to start, partitions with
/// skewed traffic, a backlog (consumer lag) where brokers fall short, and partitions that do
/// not serve while they move.
struct CampaignCluster {
    struct Partition {
        var topic: String
        var index: Int32
        var replicas: [Int32]
        var leader: Int32?
        /// Share of the cluster's traffic.
        var weight: Double
        /// Bytes produced but not yet served.
        var backlog: Double = 0
        var movingUntil: Double = -1
        var moveTo: [Int32]?
    }

    let settings: CampaignSettings
    /// Broker id -> the time it serves from.
    var brokers: [Int32: Double] = [:]
    var partitions: [Partition] = []
    var moves = 0
    /// Brokers saturated in the last step.
    var saturated = 0
    /// Each serving broker's load in the last step, in percent of its capacity (its CPU).
    var utilization: [Int32: Double] = [:]
    /// Bytes each broker served in the last step.
    var servedBy: [Int32: Double] = [:]
    /// Every byte produced and served since the start.
    var producedBytes = 0.0
    var servedBytes = 0.0

    init(settings: CampaignSettings, brokers count: Int, seed: UInt64) {
        self.settings = settings
        for id in 0..<Int32(count) { brokers[id] = 0 }
        for (position, share) in PartitionSkew.shares(topics: settings.topics, seed: seed).enumerated() {
            let replicas = (0..<settings.replication).map { Int32((position + $0) % count) }
            partitions.append(Partition(topic: share.topic, index: share.index, replicas: replicas, leader: replicas.first, weight: share.weight))
        }
    }

    func serving(at now: Double) -> [Int32] { brokers.filter { $0.value <= now }.keys.sorted() }

    /// One step: traffic arrives, moves due within the step finish (a moving partition serves
    /// only for the part of the step after its move), and each leader serves what its capacity
    /// allows (`BrokerService`).
    mutating func step(now: Double, dt: Double, demandMiBPerSecond: Double) {
        let mebibyte = 1_048_576.0
        let capacity = settings.brokerCapacityMiBPerSecond * mebibyte * dt
        let live = Set(serving(at: now))
        var claims = [BrokerService.Claim?](repeating: nil, count: partitions.count)
        for index in partitions.indices {
            let arriving = demandMiBPerSecond * mebibyte * dt * partitions[index].weight
            partitions[index].backlog += arriving
            producedBytes += arriving
            var serves = 1.0
            if partitions[index].movingUntil >= 0 {
                if partitions[index].movingUntil < now + dt, let target = partitions[index].moveTo {
                    let leader = partitions[index].leader
                    partitions[index].replicas = target
                    if leader == nil || !target.contains(leader!) { partitions[index].leader = target.first }
                    serves = (now + dt - max(now, partitions[index].movingUntil)) / dt
                    partitions[index].movingUntil = -1
                    partitions[index].moveTo = nil
                } else {
                    serves = 0
                }
            }
            guard serves > 0, let leader = partitions[index].leader, live.contains(leader) else { continue }
            claims[index] = BrokerService.Claim(broker: leader, backlog: partitions[index].backlog, servingFraction: serves)
        }
        let (served, demand) = BrokerService.serve(claims, capacity: capacity)
        saturated = 0
        utilization = Dictionary(live.map { ($0, 5.0) }, uniquingKeysWith: { first, _ in first })
        for (broker, wanted) in demand {
            if wanted > capacity { saturated += 1 }
            // An idle broker still burns a little; a saturated one shows 100%.
            utilization[broker] = 5 + 95 * min(1, wanted / capacity)
        }
        servedBy = [:]
        for index in partitions.indices {
            guard let claim = claims[index] else { continue }
            partitions[index].backlog -= served[index]
            servedBytes += served[index]
            servedBy[claim.broker, default: 0] += served[index]
        }
    }

    /// What must hold after every step, whatever the strategy did: no partition is held by a
    /// broker that does not exist, only serving brokers served, no backlog is negative, and
    /// every byte produced was either served or is still in a backlog.
    func invariantViolations(now: Double) -> [String] {
        var found: [String] = []
        let live = Set(serving(at: now))
        for partition in partitions {
            let name = "\(partition.topic)-\(partition.index)"
            if partition.backlog < 0 { found.append("\(name): negative backlog \(partition.backlog)") }
            for replica in partition.replicas where brokers[replica] == nil { found.append("\(name): replica on missing broker \(replica)") }
            if let leader = partition.leader, brokers[leader] == nil { found.append("\(name): led by missing broker \(leader)") }
        }
        for broker in servedBy.keys where !live.contains(broker) { found.append("broker \(broker) served while not serving") }
        let backlog = partitions.reduce(0) { $0 + $1.backlog }
        if abs(producedBytes - servedBytes - backlog) > max(1, producedBytes * 1e-9) {
            found.append("bytes not conserved: produced \(producedBytes), served \(servedBytes), backlog \(backlog)")
        }
        return found
    }

    var lagMessages: Double { partitions.reduce(0) { $0 + $1.backlog } / settings.recordBytes }

    /// Starts moving partitions; they stop serving for `moveSeconds`.
    mutating func move(_ planned: [PartitionMove], now: Double) {
        for move in planned {
            guard let index = partitions.firstIndex(where: { $0.topic == move.topic && $0.index == move.partition }) else { continue }
            partitions[index].moveTo = move.to
            partitions[index].movingUntil = now + settings.moveSeconds
            moves += 1
        }
    }

    /// Places partitions as a careful team would before the campaign (the planner, at once,
    /// with no move cost): what static provisioning gets.
    mutating func balance(demandMiBPerSecond: Double) {
        let snapshot = view(now: .infinity, demandMiBPerSecond: demandMiBPerSecond)
        guard let plan = try? PartitionPlanner.plan(
            ClusterView(brokers: snapshot.brokers, partitions: snapshot.partitions),
            constraints: PlanConstraints(maxMovesPerBroker: 1_000, maxMovesPerCluster: 100_000, batchSize: 100_000)) else { return }
        for move in plan.moves {
            guard let index = partitions.firstIndex(where: { $0.topic == move.topic && $0.index == move.partition }) else { continue }
            partitions[index].replicas = move.to
            partitions[index].leader = move.to.first
        }
    }

    /// A broker goes (its pod is deleted): its partitions lose that replica; leadership goes to
    /// a remaining replica, as Kafka elects from the ISR. A partition left with none is offline
    /// until the controller fails it over to another broker (`failoverSeconds`).
    mutating func remove(_ broker: Int32, now: Double) {
        brokers[broker] = nil
        let remaining = brokers.keys.sorted()
        var next = 0
        for index in partitions.indices where partitions[index].replicas.contains(broker) || partitions[index].leader == broker {
            partitions[index].replicas.removeAll { $0 == broker }
            if partitions[index].leader == broker { partitions[index].leader = partitions[index].replicas.first }
            if partitions[index].replicas.isEmpty, !remaining.isEmpty {
                partitions[index].movingUntil = now + settings.failoverSeconds
                partitions[index].moveTo = [remaining[next % remaining.count]]
                next += 1
            }
        }
    }

    /// What the Kafka protocol would show: registered brokers (those serving), partitions with
    /// their produce rates (as Ebb derives them from offsets), moves in progress.
    func view(now: Double, demandMiBPerSecond: Double) -> ClusterSnapshot {
        ClusterSnapshot(
            brokers: serving(at: now).map { ClusterView.Broker(id: $0, rack: "rack-\($0 % 3)") },
            partitions: partitions.map {
                ClusterView.Partition(
                    topic: $0.topic, partition: $0.index, replicas: $0.replicas, leader: $0.leader,
                    bytesInPerSecond: demandMiBPerSecond * 1_048_576 * $0.weight)
            },
            reassigning: Set(partitions.filter { $0.movingUntil >= 0 }.map { "\($0.topic)-\($0.index)" }))
    }
}
