import BrokerScaling
import Foundation
import Resilience
import Testing

/// A cluster shared by the pool and brokers that are not its own: a second StatefulSet's brokers
/// (or combined controller nodes) with partitions of their own, and pool brokers that Kafka
/// still lists for a while after their pods were deleted (until their session times out). Pods
/// follow the StatefulSet one tick later, a new pod is ready the tick after it appears, and
/// moves complete one tick after they are submitted. Every tick it counts what a user would
/// see go wrong: a replica placed on a broker that is not a member the pool keeps, a replica on
/// a broker with no pod, a pod deleted under a partition, a foreign partition touched.
struct SharedClusterWorld {
    var spec: BrokerPoolSpec
    var status = BrokerPoolStatus()
    var stsReplicas: Int32
    /// Pool pods by ordinal: ready or not.
    var pods: [Int32: Bool]
    /// Pool brokers whose pod is gone, with the ticks they stay registered.
    var lingering: [Int32: Int] = [:]
    let lingerTicks: Int
    let foreign: [Int32]
    var partitions: [ClusterView.Partition]
    let foreignPartitions: [String: [Int32]]
    var inFlight: [PartitionMove] = []
    var now = Fixture.t0
    var violations: [String] = []
    var submitted = 0
    var elected: [String] = []

    init(brokers: Int32, offset: Int32, max: Int32, foreign: [Int32], partitions: Int, foreignPartitions: Int, lingerTicks: Int = 6) {
        spec = Fixture.spec(min: 1, max: max)
        spec.brokerIdOffset = offset
        spec.reassignment = ReassignmentSpec(batchSize: 8)
        stsReplicas = brokers
        pods = Dictionary(uniqueKeysWithValues: (0..<brokers).map { ($0, true) })
        self.lingerTicks = lingerTicks
        self.foreign = foreign
        var all = (0..<partitions).map { index in
            let replicas = (0..<2).map { offset + Int32((index + $0) % Int(brokers)) }
            return ClusterView.Partition(topic: "orders", partition: Int32(index), replicas: replicas, leader: replicas[0])
        }
        all += (0..<foreignPartitions).map { index in
            let replicas = (0..<min(2, foreign.count)).map { foreign[(index + $0) % foreign.count] }
            return ClusterView.Partition(topic: "billing", partition: Int32(index), replicas: replicas, leader: replicas[0])
        }
        self.partitions = all
        self.foreignPartitions = Dictionary(uniqueKeysWithValues: all.filter { $0.topic == "billing" }.map { ($0.name, $0.replicas) })
    }

    var offset: Int32 { spec.effectiveBrokerIdOffset }
    /// Brokers with a running pod: ready pool pods and the foreign brokers.
    var withPod: Set<Int32> { Set(pods.filter(\.value).keys.map { offset + $0 }).union(foreign) }
    var registered: [Int32] { (Array(withPod) + lingering.keys).sorted() }

    func observation() -> PoolObservation {
        let cluster = ClusterSnapshot(
            brokers: registered.map { ClusterView.Broker(id: $0, rack: "rack-\($0 % 3)") }, partitions: partitions,
            reassigning: Set(inFlight.map { "\($0.topic)-\($0.partition)" }))
        return PoolObservation(
            now: now, spec: spec, generation: 1, status: status, statefulSetReplicas: stsReplicas, statefulSetPods: Int32(pods.count),
            statefulSetReady: Int32(pods.values.filter { $0 }.count), pods: pods.keys.sorted().map { BrokerPod(ordinal: $0, ready: pods[$0]!) },
            cluster: cluster, decision: nil)
    }

    mutating func tick() {
        for move in inFlight {
            let index = partitions.firstIndex { $0.topic == move.topic && $0.partition == move.partition }!
            partitions[index].replicas = move.to
            if let leader = partitions[index].leader, !move.to.contains(leader) { partitions[index].leader = move.to.first }
        }
        inFlight = []
        // Lingering brokers time out; pods follow the StatefulSet.
        lingering = lingering.compactMapValues { $0 > 1 ? $0 - 1 : nil }
        for ordinal in pods.keys where !pods[ordinal]! { pods[ordinal] = true }
        for ordinal in pods.keys.sorted() where ordinal >= stsReplicas {
            let id = offset + ordinal
            for partition in partitions where partition.replicas.contains(id) {
                violations.append("\(partition.name) was on broker \(id) when its pod was deleted")
            }
            pods[ordinal] = nil
            lingering[id] = lingerTicks
        }
        for ordinal in 0..<stsReplicas where pods[ordinal] == nil {
            pods[ordinal] = false
            lingering[offset + ordinal] = nil
        }
        for partition in partitions {
            for replica in partition.replicas where !withPod.contains(replica) && pods[replica - offset] == nil {
                violations.append("\(partition.name) has a replica on broker \(replica), which has no pod")
            }
        }
        for (name, replicas) in foreignPartitions where partitions.first(where: { $0.name == name })?.replicas != replicas {
            violations.append("foreign partition \(name) was moved")
        }

        let observed = observation()
        let step = ScalingSequence.advance(observed, constraints: PlanConstraints(spec.effectiveReassignment))
        let keep = status.reassignment?.targetReplicas ?? stsReplicas
        let members = ScalingSequence.membership(
            observed, cluster: observed.cluster!, keep: keep, victims: status.reassignment?.drainingBrokers ?? [])
        for action in step.actions {
            switch action {
            case .setReplicas(let replicas):
                stsReplicas = replicas
            case .submit(let batch, _):
                for move in batch {
                    for id in move.to where !move.from.contains(id) && !members.targets.contains(id) {
                        violations.append("\(move.topic)-\(move.partition) was placed on broker \(id), not a member the pool keeps")
                    }
                    if foreignPartitions["\(move.topic)-\(move.partition)"] != nil {
                        violations.append("foreign partition \(move.topic)-\(move.partition) submitted")
                    }
                }
                inFlight += batch
                submitted += 1
            case .electLeaders(let names):
                elected += names ?? ["<all>"]
                for index in partitions.indices where names?.contains(partitions[index].name) ?? true {
                    partitions[index].leader = partitions[index].replicas.first
                }
            case .event:
                break
            }
        }
        status = step.status
        now = now.addingTimeInterval(step.requeueAfter.inSeconds)
    }

    mutating func run(until done: (SharedClusterWorld) -> Bool, ticks: Int = 200) -> Int {
        for index in 0..<ticks {
            if done(self) { return index }
            tick()
        }
        return ticks
    }

    var stable: Bool { (status.state ?? .stable) == .stable && inFlight.isEmpty && status.reassignment == nil }
    func holds(_ broker: Int32) -> Int { partitions.filter { $0.replicas.contains(broker) }.count }
}

struct PoolMembershipTests {
    /// Issue 17: a pool at brokerIdOffset 1 goes 6 → 9 → 6 → 3 while Kafka still lists 7, 8 and 9
    /// after their pods are gone, and a second StatefulSet's brokers 100–102 share the cluster.
    @Test func drainsAndRebalancesUseOnlyTheBrokersThePoolKeeps() {
        var world = SharedClusterWorld(brokers: 6, offset: 1, max: 12, foreign: [100, 101, 102], partitions: 63, foreignPartitions: 12)
        for target: Int32 in [9, 6, 3] {
            world.spec.replicas = target
            let ticks = world.run { $0.stable && $0.stsReplicas == target && $0.pods.count == Int(target) }
            #expect(ticks < 200, "reached \(target): \(world.status.state?.rawValue ?? "-")")
            if target == 9 { for broker: Int32 in 7...9 { #expect(world.holds(broker) > 0, "new broker \(broker) took partitions") } }
        }
        for broker: Int32 in 4...9 { #expect(world.holds(broker) == 0, "broker \(broker) (no pod) holds \(world.holds(broker)) partitions") }
        for broker: Int32 in 1...3 { #expect(world.holds(broker) > 0) }
        #expect(world.violations.isEmpty, "\(world.violations.prefix(5))")
        #expect(!world.elected.contains { $0.hasPrefix("billing-") || $0 == "<all>" }, "leaders elected for the pool's partitions only")
    }

    /// A rebalance at 5 replicas while 9 brokers are registered spreads load over the 5 only.
    @Test func aRebalanceIgnoresLingeringBrokers() {
        var world = SharedClusterWorld(brokers: 9, offset: 1, max: 12, foreign: [0], partitions: 45, foreignPartitions: 4, lingerTicks: 1000)
        world.spec.replicas = 5
        _ = world.run { $0.stable && $0.pods.count == 5 }
        world.spec.replicas = 7
        _ = world.run { $0.stable && $0.pods.count == 7 && $0.submitted > 0 }
        #expect(world.lingering.keys.sorted() == [8, 9], "8 and 9 stay registered without pods")
        #expect(world.holds(8) == 0 && world.holds(9) == 0)
        #expect(world.violations.isEmpty, "\(world.violations.prefix(5))")
    }

    /// A drain that cannot finish says which partitions and brokers hold it up.
    @Test func aBlockedDrainNamesThePartitionsAndBrokers() {
        var world = SharedClusterWorld(brokers: 3, offset: 0, max: 6, foreign: [50], partitions: 0, foreignPartitions: 0)
        // Replication 3 over brokers 0, 1, 2: going to 2 leaves no broker to take 2's replica.
        world.partitions = [ClusterView.Partition(topic: "orders", partition: 0, replicas: [0, 1, 2], leader: 2)]
        world.spec.replicas = 2
        for _ in 0..<4 { world.tick() }
        #expect(world.status.state == .blocked)
        let message = world.status.conditions?.first { $0.type == .ableToScale }?.message ?? ""
        #expect(message.contains("orders-0 on broker 2"), "\(message)")
        #expect(world.stsReplicas == 3)
    }

    @Test func membershipClassifiesEveryKindOfBroker() {
        var spec = Fixture.spec(min: 1, max: 9)
        spec.brokerIdOffset = 1
        spec.ownership = PoolOwnership(brokerIds: [200])
        let registered = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 200].map { ClusterView.Broker(id: Int32($0)) }
        // Pods 0...5 exist; ordinal 2 (broker 3) is not ready; 7, 8, 9 linger without pods.
        let pods = (0..<6).map { BrokerPod(ordinal: Int32($0), ready: $0 != 2) }
        let membership = PoolMembership(spec: spec, statefulSetReplicas: 6, keep: 3, pods: pods, registered: registered, victims: [4, 5, 6])
        #expect(membership.members == [1, 2, 4, 5, 6])
        #expect(membership.targets == [1, 2], "broker 3 has no ready pod; 4-6 are victims")
        #expect(membership.state(of: 3) == .fixed, "a pool broker the pool keeps, restarting: its replicas wait for it")
        for id: Int32 in [4, 5, 6, 200] { #expect(membership.state(of: id) == .draining) }
        #expect(membership.state(of: 8) == .draining, "a pool broker scaled away that still holds a replica gives it up")
        #expect(membership.state(of: 0) == .fixed && membership.state(of: 100) == .fixed, "outside the pool")
    }
}
