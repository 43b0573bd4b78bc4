import BrokerScaling
import Foundation
import Testing

/// Over random clusters (pool brokers with and without ready pods, victims of a scale-in,
/// brokers Kafka still lists after their pods went, a second StatefulSet's brokers, controller
/// nodes, adopted brokers), every plan made through the pool's membership places replicas only
/// on members the pool keeps, and leaves every replica on a broker outside the pool where it is.
struct MembershipPropertyTests {
    struct Case {
        var spec: BrokerPoolSpec
        var membership: PoolMembership
        var cluster: ClusterSnapshot
        var foreign: Set<Int32>
    }

    static func randomCase(_ seed: UInt64) -> Case {
        var random = SeededRandom(seed: seed)
        var spec = Fixture.spec(min: 1, max: Int32(random.int(in: 3...12)))
        let offset = Int32([0, 1, 10, 1000][random.int(in: 0...3)])
        spec.brokerIdOffset = offset
        let replicas = Int32(random.int(in: 1...Int(spec.maxReplicas)))
        // Pods 0 ..< replicas, some not ready; some missing (crashed), beyond them lingering ids.
        var pods: [BrokerPod] = []
        for ordinal in 0..<replicas where random.int(in: 0...9) > 0 { pods.append(BrokerPod(ordinal: ordinal, ready: random.int(in: 0...5) > 0)) }
        let lingering = (replicas..<spec.maxReplicas).filter { _ in random.bool() }.map { offset + $0 }
        // Brokers outside the pool: a second StatefulSet far above, controller nodes below (when there is room).
        var foreign = (0..<random.int(in: 0...4)).map { offset + spec.maxReplicas + 50 + Int32($0) }
        if offset >= 3, random.bool() { foreign += [0, 1, 2] }
        let adopted = foreign.filter { _ in random.int(in: 0...3) == 0 }
        if !adopted.isEmpty { spec.ownership = PoolOwnership(brokerIds: adopted) }
        let drain = random.bool() && replicas > 1
        let keep = drain ? Int32(random.int(in: 1...Int(replicas) - 1)) : replicas
        let victims = drain ? (keep..<replicas).map { offset + $0 } : []
        let ready = pods.filter(\.ready).map { offset + $0.ordinal }
        // Registered: ready pods (most of them), lingering ids, foreign brokers.
        let registeredIds = Set(ready.filter { _ in random.int(in: 0...9) > 0 } + lingering + foreign)
        let registered = registeredIds.sorted().map { ClusterView.Broker(id: $0, rack: random.bool() ? "rack-\($0 % 3)" : nil) }
        // Partitions on any registered broker, or on a pool id that is no longer registered.
        let everywhere = Array(registeredIds) + pods.map { offset + $0.ordinal } + victims
        let candidates = Array(Set(everywhere)).sorted()
        var partitions: [ClusterView.Partition] = []
        for index in 0..<random.int(in: 0...120) {
            let kind = random.int(in: 0...3)
            let pool = candidates.filter { !foreign.contains($0) }
            let source = kind == 0 && !foreign.isEmpty ? foreign : kind == 1 ? candidates : pool.isEmpty ? candidates : pool
            guard !source.isEmpty else { continue }
            let factor = min(random.int(in: 1...3), source.count)
            var replicas: [Int32] = []
            while replicas.count < factor {
                let id = source[random.int(in: 0...(source.count - 1))]
                if !replicas.contains(id) { replicas.append(id) }
            }
            partitions.append(
                ClusterView.Partition(
                    topic: kind == 0 ? "foreign" : "orders", partition: Int32(index), replicas: replicas, leader: replicas[0],
                    bytesInPerSecond: random.bool() ? random.double(in: 0...1e6) : nil))
        }
        if partitions.contains(where: { $0.bytesInPerSecond == nil }) {
            for index in partitions.indices { partitions[index].bytesInPerSecond = nil }
        }
        let membership = PoolMembership(spec: spec, statefulSetReplicas: replicas, keep: keep, pods: pods, registered: registered, victims: victims)
        return Case(
            spec: spec, membership: membership, cluster: ClusterSnapshot(brokers: registered, partitions: partitions),
            foreign: Set(foreign).subtracting(adopted))
    }

    @Test(arguments: 0..<400)
    func everyPlanTargetsOnlyMembersThePoolKeeps(_ seed: Int) throws {
        let example = Self.randomCase(UInt64(seed))
        let membership = example.membership
        let view = membership.planningView(example.cluster)
        #expect(view.brokers.filter(\.receives).allSatisfy { membership.targets.contains($0.id) }, "seed \(seed): a receiving broker is not a target")
        guard view.brokers.contains(where: \.receives) else {
            // No member the pool keeps: nothing can be planned, and the planner says so.
            #expect(throws: PartitionPlanner.InputError.self) { try PartitionPlanner.plan(view) }
            return
        }
        let plan = try PartitionPlanner.plan(
            view, constraints: PlanConstraints(maxMovesPerBroker: 1000, maxMovesPerCluster: 100_000, batchSize: 100_000))
        let original = Dictionary(uniqueKeysWithValues: example.cluster.partitions.map { ($0.name, $0.replicas) })
        for move in plan.moves {
            let name = "\(move.topic)-\(move.partition)"
            for id in move.to where !move.from.contains(id) {
                #expect(
                    membership.targets.contains(id),
                    "seed \(seed): \(name) placed on \(id), which is not a member the pool keeps (targets \(membership.targets.sorted()))")
            }
            for id in move.from where membership.state(of: id) == .fixed {
                #expect(move.to.contains(id), "seed \(seed): \(name) lost its replica on broker \(id), outside the pool")
            }
            let before = try #require(original[name])
            #expect(
                before.contains { membership.state(of: $0) != .fixed }, "seed \(seed): \(name) lies wholly outside what the pool may move, yet moved")
            if before.allSatisfy({ example.foreign.contains($0) }) { Issue.record("seed \(seed): foreign partition \(name) moved") }
            if move.leadershipOnly, let leader = before.first, membership.state(of: leader) == .fixed {
                Issue.record("seed \(seed): \(name)'s preferred leader on broker \(leader), outside the pool, was changed")
            }
        }
    }
}
