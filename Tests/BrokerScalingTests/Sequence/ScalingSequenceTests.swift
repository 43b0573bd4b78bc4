import BrokerScaling
import Foundation
import Resilience
import Testing

/// A tiny world for the sequence: a StatefulSet whose pods follow its replicas one tick later,
/// brokers registered while their pod exists, and reassignments that complete one tick after
/// they are submitted. It checks, at every tick, that no pod goes while its broker holds a
/// partition, and that no batch is submitted while another is moving.
struct SequenceWorld {
    var spec: BrokerPoolSpec
    var status = BrokerPoolStatus()
    var stsReplicas: Int32
    var pods: Int32
    var partitions: [ClusterView.Partition]
    var inFlight: [PartitionMove] = []
    var now = Fixture.t0
    var kafkaUp = true
    var submitted = 0
    var moves = 0
    var elections = 0
    var events: [String] = []
    var violations: [String] = []
    /// How many new pods become ready each tick (nil: all of them at once).
    var podsStartingPerTick: Int32?
    /// Submitted moves are accepted and never applied (a controller that drops them).
    var movesDropped = false

    init(brokers: Int32, partitions: Int, replication: Int = 2, offset: Int32 = 1000) {
        spec = Fixture.spec(min: 1, max: 50)
        spec.brokerIdOffset = offset
        spec.reassignment = ReassignmentSpec(batchSize: 8)
        stsReplicas = brokers
        pods = brokers
        self.partitions = (0..<partitions).map { index in
            let replicas = (0..<replication).map { offset + Int32((index + $0) % Int(brokers)) }
            return ClusterView.Partition(topic: "orders", partition: Int32(index), replicas: replicas, leader: replicas[0])
        }
    }

    /// The decision of each reconcile (nil: the pool follows spec.replicas).
    var decision: Decision?

    var brokerIds: [Int32] { (0..<pods).map { (spec.brokerIdOffset ?? 0) + $0 } }

    func observation() -> PoolObservation {
        let cluster =
            kafkaUp
            ? ClusterSnapshot(
                brokers: brokerIds.map { ClusterView.Broker(id: $0, rack: "rack-\($0 % 3)") }, partitions: partitions,
                reassigning: Set(inFlight.map { "\($0.topic)-\($0.partition)" })) : nil
        return PoolObservation(
            now: now, spec: spec, generation: 1, status: status, statefulSetReplicas: stsReplicas, statefulSetPods: pods,
            statefulSetReady: pods, cluster: cluster, clusterError: kafkaUp ? nil : "connection refused", decision: decision)
    }

    /// One reconcile; `loseStatus` drops its status write (a crash after acting, before writing).
    mutating func tick(loseStatus: Bool = false, skipActions: Bool = false) {
        // The world moves first: pods follow replicas, moves complete.
        for move in inFlight {
            let index = partitions.firstIndex { $0.topic == move.topic && $0.partition == move.partition }!
            let leader = partitions[index].leader
            partitions[index].replicas = move.to
            if let leader, !move.to.contains(leader) { partitions[index].leader = move.to.first }
            moves += 1
        }
        inFlight = []
        if pods > stsReplicas {
            let leaving = Set((stsReplicas..<pods).map { (spec.brokerIdOffset ?? 0) + $0 })
            for partition in partitions where partition.replicas.contains(where: leaving.contains) || partition.leader.map(leaving.contains) == true {
                violations.append("\(partition.name) still on a removed broker at \(now)")
            }
        }
        pods = pods < stsReplicas ? min(stsReplicas, pods + (podsStartingPerTick ?? stsReplicas)) : stsReplicas

        let step = ScalingSequence.advance(observation(), constraints: PlanConstraints(spec.effectiveReassignment))
        let scaleWrites = step.actions.filter { if case .setReplicas = $0 { return true } else { return false } }.count
        if scaleWrites > 1 { violations.append("\(scaleWrites) scale writes in one step at \(now)") }
        if !skipActions {
            for action in step.actions {
                switch action {
                case .setReplicas(let replicas):
                    stsReplicas = replicas
                case .submit(let batch, _):
                    if !inFlight.isEmpty { violations.append("a batch was submitted while another was moving") }
                    if !movesDropped { inFlight += batch }
                    submitted += 1
                case .electLeaders:
                    elections += 1
                    for index in partitions.indices { partitions[index].leader = partitions[index].replicas.first }
                case let .event(_, reason, _):
                    events.append(reason)
                }
            }
        }
        if !loseStatus { status = step.status }
        now = now.addingTimeInterval(step.requeueAfter.inSeconds)
    }

    mutating func run(
        until done: (SequenceWorld) -> Bool, ticks: Int = 200, crash: (Int) -> (loseStatus: Bool, skipActions: Bool) = { _ in (false, false) }
    ) -> Int {
        for index in 0..<ticks {
            if done(self) { return index }
            let fault = crash(index)
            tick(loseStatus: fault.loseStatus, skipActions: fault.skipActions)
        }
        return ticks
    }

    /// `from` brokers draining towards `to` (set on the pool): the drain has submitted its first batch.
    static func drainUnderWay(from: Int32, to: Int32) -> SequenceWorld {
        var world = SequenceWorld(brokers: from, partitions: 60)
        world.spec.replicas = to
        world.tick()
        world.tick()
        #expect(world.status.state == .draining && world.submitted > 0)
        return world
    }

    /// Replication factor 3 on 3 brokers, asked to go to 2: the drain has nowhere to move to,
    /// after `ticks` reconciles.
    static func drainWithNowhereToGo(ticks: Int) -> SequenceWorld {
        var world = SequenceWorld(brokers: 3, partitions: 6, replication: 3)
        world.spec.minReplicas = 1
        world.spec.replicas = 2
        for _ in 0..<ticks { world.tick() }
        return world
    }

    func holds(_ broker: Int32) -> Int { partitions.filter { $0.replicas.contains(broker) }.count }
    var stable: Bool { (status.state ?? .stable) == .stable && inFlight.isEmpty }
}

struct ScalingSequenceTests {
    @Test func scaleOutThenRebalanceOntoTheNewBrokers() {
        var world = SequenceWorld(brokers: 3, partitions: 48)
        world.spec.replicas = 6
        world.tick()
        #expect(world.status.state == .scalingOut && world.stsReplicas == 6)
        #expect(world.status.reassignment?.targetReplicas == 6)
        let ticks = world.run { $0.stable && $0.stsReplicas == 6 && $0.submitted > 0 }
        #expect(ticks < 100)
        for broker in Int32(1003)...1005 { #expect(world.holds(broker) > 0, "new broker \(broker) took partitions") }
        #expect(world.elections == 1, "preferred leaders elected once, at the end")
        #expect(world.events.contains("ScaleOut") && world.events.contains("Rebalanced"))
        #expect(world.violations.isEmpty, "\(world.violations)")
        #expect(world.status.reassignment == nil)
    }

    /// Found end to end (a new broker took 65 s to own a partition while the target kept
    /// rising): new brokers take partitions as soon as they are ready and registered, not once
    /// the last of the target's pods is.
    @Test func newBrokersTakePartitionsAsTheyArriveNotWhenTheLastIs() {
        var world = SequenceWorld(brokers: 3, partitions: 48)
        world.podsStartingPerTick = 1
        world.spec.replicas = 9
        var ownedBeforeTheLastArrived: Set<Int32> = []
        for _ in 0..<200 where !(world.stable && world.stsReplicas == 9 && world.submitted > 0) {
            world.tick()
            guard world.pods < 9 else { continue }
            for broker in Int32(1003)..<(1000 + world.pods) where world.holds(broker) > 0 { ownedBeforeTheLastArrived.insert(broker) }
        }
        #expect(
            ownedBeforeTheLastArrived.isSuperset(of: [1003, 1004, 1005]),
            "brokers owning partitions before broker 1008 was ready: \(ownedBeforeTheLastArrived.sorted())")
        #expect(world.status.state == .stable && world.status.reassignment == nil)
        let counts = (Int32(1000)...1008).map(world.holds)
        #expect(counts.min()! > 0 && counts.max()! - counts.min()! <= 2, "balanced over all nine at the end: \(counts)")
        #expect(world.elections == 1, "preferred leaders elected once, at the end")
        #expect(world.events.filter { $0 == "Rebalanced" }.count == 1)
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    /// Found end to end (the face's request log): raising the target while scaling out patched
    /// the StatefulSet, then the "not applied yet" branch patched it again with the same count.
    @Test func raisingTheTargetWhileScalingOutPatchesOnce() {
        var world = SequenceWorld(brokers: 3, partitions: 48)
        world.spec.replicas = 6
        world.tick()
        world.spec.replicas = 9
        world.tick()
        #expect(world.stsReplicas == 9 && world.status.reassignment?.targetReplicas == 9)
        _ = world.run { $0.stable && $0.stsReplicas == 9 && $0.submitted > 0 }
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    @Test func drainThenScaleInNeverShrinksUnderAPartition() {
        var world = SequenceWorld(brokers: 6, partitions: 60)
        world.spec.replicas = 4
        world.tick()
        #expect(world.status.state == .draining)
        #expect(world.status.reassignment?.drainingBrokers == [1004, 1005])
        #expect(world.stsReplicas == 6, "replicas stay until the drain is verified")
        let ticks = world.run { $0.stable && $0.pods == 4 }
        #expect(ticks < 100)
        #expect(world.holds(1004) == 0 && world.holds(1005) == 0)
        #expect(world.events.contains("DrainVerified") && world.events.contains("ScaledIn"))
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    @Test(arguments: 0..<12)
    func aCrashAtAnyStepConvergesSafely(_ crashAt: Int) {
        for direction in [Int32(7), 2] {
            var world = SequenceWorld(brokers: 4, partitions: 40)
            world.spec.replicas = direction
            // The crash loses the step's status write; a second kind runs no action but
            // writes the status (the operator died between writing and acting).
            _ = world.run(
                until: { $0.stable && $0.pods == direction && $0.submitted > 0 },
                crash: { index in
                    (loseStatus: index == crashAt, skipActions: index == crashAt + 1)
                })
            #expect(
                world.stable && world.pods == direction,
                "converged to \(direction) after a crash at step \(crashAt): \(world.status.state?.rawValue ?? "-")")
            #expect(world.violations.isEmpty, "\(world.violations)")
            let leaving = direction < 4 ? Array((direction..<4).map { 1000 + $0 }) : []
            for broker in leaving { #expect(world.holds(broker) == 0) }
        }
    }

    /// Prometheus goes away in the middle of a drain: the moves finish, but the emptied brokers
    /// are not removed until every metric can be read again.
    @Test func aFinishedDrainKeepsItsBrokersWhileAMetricCannotBeRead() {
        var world = SequenceWorld(brokers: 6, partitions: 60)
        world.spec.replicas = nil
        world.spec.metrics = [
            .throughput(.in, perBroker: try! Quantity("100Mi")), .lag(group: "g", target: MetricTarget(type: .value, value: try! Quantity("1000")))
        ]
        let now = world.now
        let input = { (throughput: MetricObservation) in
            DecisionInput(
                now: now, spec: world.spec, currentReplicas: 6, readyReplicas: 6, metrics: [throughput, .value("lag:g", 10, at: now)],
                history: ScalingHistory())
        }
        // 6 brokers at 60 MiB/s each against 100: four are enough.
        world.decision = DecisionEngine.decide(input(.value("bytes-in", 6 * 60 * 1_048_576, at: now)))
        #expect(world.decision?.desiredReplicas == 4)
        world.tick()
        #expect(world.status.state == .draining)
        world.decision = DecisionEngine.decide(input(.failed("bytes-in", "Prometheus: connection refused")))
        #expect(world.decision?.limitedBy?.rule == .partialMetrics)
        for _ in 0..<30 { world.tick() }
        #expect(world.holds(1004) == 0 && world.holds(1005) == 0, "the drain's moves finished")
        #expect(world.stsReplicas == 6, "no broker removed while bytes-in cannot be read")
        #expect(world.status.conditions?.first { $0.type == .ableToScale }?.reason == "MetricsUnavailable")
        world.decision = DecisionEngine.decide(input(.value("bytes-in", 6 * 60 * 1_048_576, at: now)))
        _ = world.run { $0.stable && $0.pods == 4 }
        #expect(world.stsReplicas == 4 && world.violations.isEmpty)
    }

    @Test func blindItHoldsAndNeverScalesIn() {
        var world = SequenceWorld(brokers: 6, partitions: 30)
        world.kafkaUp = false
        world.spec.replicas = 3
        for _ in 0..<5 { world.tick() }
        #expect(world.stsReplicas == 6 && world.submitted == 0)
        #expect(world.status.conditions?.first { $0.type == .ableToScale }?.reason == "KafkaUnavailable")
        // Blind in the middle of a drain: the drain holds too.
        world.kafkaUp = true
        world.tick()
        #expect(world.status.state == .draining)
        world.kafkaUp = false
        let submitted = world.submitted
        for _ in 0..<5 { world.tick() }
        #expect(world.submitted == submitted && world.stsReplicas == 6)
        world.kafkaUp = true
        _ = world.run { $0.stable && $0.pods == 3 }
        #expect(world.pods == 3 && world.violations.isEmpty)
    }

    @Test func dryRunAndPauseWriteNothing() {
        var world = SequenceWorld(brokers: 3, partitions: 12)
        world.spec.replicas = 8
        world.spec.dryRun = true
        for _ in 0..<3 { world.tick() }
        #expect(world.stsReplicas == 3 && world.submitted == 0)
        #expect(world.status.desiredReplicas == 8 && world.status.state == .stable)
        world.spec.dryRun = nil
        world.spec.paused = true
        for _ in 0..<3 { world.tick() }
        #expect(world.stsReplicas == 3 && world.status.state == .paused)
        world.spec.paused = nil
        world.tick()
        #expect(world.stsReplicas == 8)
    }

    @Test func anImpossibleDrainIsBlockedNotForced() {
        let world = SequenceWorld.drainWithNowhereToGo(ticks: 5)
        #expect(world.status.state == .blocked)
        #expect(world.stsReplicas == 3, "never shrinks under a partition")
        #expect(world.events.contains("Blocked"))
        #expect(world.status.conditions?.first { $0.type == .ableToScale }?.message.contains("cannot drain brokers 1002") == true)
    }

    /// A blocked drain is not a dead end: when more brokers are wanted it is cancelled and the
    /// pool scales out at once.
    @Test func moreBrokersWantedCancelABlockedDrain() {
        var world = SequenceWorld.drainWithNowhereToGo(ticks: 3)
        #expect(world.status.state == .blocked)
        let message = world.status.conditions?.first { $0.type == .ableToScale }?.message ?? ""
        #expect(message.contains("have nowhere to go") && message.contains("tried again every"), "\(message)")
        world.spec.replicas = 5
        world.tick()
        #expect(world.events.contains("DrainCancelled"))
        #expect(world.stsReplicas == 5 && world.status.state == .scalingOut && world.status.reassignment?.drainingBrokers == nil)
        _ = world.run { $0.stable && $0.pods == 5 }
        #expect(world.stable && world.violations.isEmpty, "\(world.violations)")
    }

    /// More brokers wanted in the middle of a drain: the drain stops, and the brokers it was
    /// emptying take load again in the scale-out's rebalance.
    @Test func moreBrokersWantedCancelARunningDrain() {
        var world = SequenceWorld.drainUnderWay(from: 6, to: 3)
        world.spec.replicas = 8
        _ = world.run { $0.stable && $0.pods == 8 }
        #expect(world.events.contains("DrainCancelled") && !world.events.contains("DrainVerified"))
        #expect(world.pods == 8 && world.violations.isEmpty, "\(world.violations)")
        #expect((1000..<1008).allSatisfy { world.holds($0) > 0 }, "every broker holds partitions after the rebalance")
    }

    /// Moves the controller accepts but never applies: after the batch budget the drain is
    /// Blocked with the reason, tried again each polling interval, and never forced.
    @Test func aDrainWhoseMovesNeverStickIsBlockedWithTheReasonAndRetried() {
        var world = SequenceWorld(brokers: 6, partitions: 18)
        world.spec.replicas = 4
        world.movesDropped = true
        _ = world.run(until: { $0.status.state == .blocked }, ticks: 400)
        #expect(world.status.state == .blocked)
        let message = world.status.conditions?.first { $0.type == .ableToScale }?.message ?? ""
        #expect(message.contains("after \(ScalingSequence.maxBatches) batches") && message.contains("orders-"), "\(message)")
        #expect(world.stsReplicas == 6, "never shrinks under a partition")
        let submitted = world.submitted
        world.movesDropped = false
        _ = world.run { $0.stable && $0.pods == 4 }
        #expect(world.submitted > submitted && world.pods == 4 && world.violations.isEmpty, "\(world.violations)")
    }

    /// The count set back to what runs mid-drain: the drain stops there, nothing is scaled.
    @Test func aScaleInUndoneMidDrainCancelsItWithoutScaling() {
        var world = SequenceWorld.drainUnderWay(from: 6, to: 3)
        world.spec.replicas = 6
        _ = world.run { $0.stable }
        #expect(world.events.contains("DrainCancelled") && !world.events.contains("DrainVerified"))
        #expect(world.stsReplicas == 6 && world.pods == 6 && world.violations.isEmpty, "\(world.violations)")
        let submitted = world.submitted
        for _ in 0..<5 { world.tick() }
        #expect(world.submitted == submitted && world.stable, "nothing more happens once cancelled")
    }

    /// Paused, or in a dry run, mid-drain: no new batch, no scale write, no cancellation; the
    /// drain resumes where it was once the pool is acted on again.
    @Test func pauseAndDryRunHoldADrainWhereItIs() {
        for hold in ["paused", "dryRun"] {
            var world = SequenceWorld(brokers: 6, partitions: 60)
            world.spec.replicas = 4
            world.tick()
            #expect(world.status.state == .draining)
            if hold == "paused" { world.spec.paused = true } else { world.spec.dryRun = true }
            world.tick()
            let (submitted, events) = (world.submitted, world.events)
            for _ in 0..<5 { world.tick() }
            #expect(world.submitted == submitted && world.events == events && world.stsReplicas == 6, "\(hold): nothing new")
            #expect(world.status.state == .draining && world.status.reassignment?.drainingBrokers == [1004, 1005], "\(hold): the drain is kept")
            world.spec.paused = nil
            world.spec.dryRun = nil
            _ = world.run { $0.stable && $0.pods == 4 }
            #expect(world.pods == 4 && world.holds(1004) == 0 && world.violations.isEmpty, "\(hold): \(world.violations)")
        }
    }

    /// A pool that stays blocked writes nothing new: the same status every reconcile.
    @Test func aBlockedPoolsStatusStaysTheSame() {
        var world = SequenceWorld.drainWithNowhereToGo(ticks: 3)
        #expect(world.status.state == .blocked)
        let before = world.status
        let events = world.events.count
        world.tick()
        world.tick()
        #expect(world.status == before, "a blocked pool's status changes every reconcile")
        #expect(world.events.count == events, "the Warning goes out once")
    }
}
