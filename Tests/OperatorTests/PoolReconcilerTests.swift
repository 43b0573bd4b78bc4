import BrokerScaling
import Foundation
import KubernetesClient
import KubernetesTypes
import NIOConcurrencyHelpers
import Operator
import Resilience
import Testing

struct PoolReconcilerTests {
    static let mebibyte = 1_048_576.0

    static func pool() -> BrokerPool {
        var spec = BrokerPoolSpec(
            scaleTargetRef: ScaleTargetReference(name: "automq-broker"), kafka: KafkaConnection(bootstrapServers: ["kafka:9092"]),
            minReplicas: 3, maxReplicas: 12, metrics: [.throughput(.in, perBroker: try! Quantity("100Mi"))])
        spec.brokerIdOffset = 1000
        return BrokerPool(metadata: ObjectMeta(name: "shop-events", namespace: "shop", generation: 4), spec: spec)
    }

    /// A reconciler over `world` on a clock that advances by each requeue.
    final class Harness: @unchecked Sendable {
        let world: FakeWorld
        let reconciler: PoolReconciler
        let time = NIOLockedValueBox(Date(timeIntervalSince1970: 1_795_798_800))

        init(world: FakeWorld, leadership: Leadership? = nil, dryRun: Bool = false) {
            self.world = world
            let time = self.time
            reconciler = PoolReconciler(
                workloads: world, kafka: world, metricSource: world, logger: world.logger, leadership: leadership,
                options: .init(dryRun: dryRun), clock: { time.withLockedValue { $0 } })
        }

        @discardableResult
        func step(_ index: Int = 0) async throws -> Duration {
            world.tick()
            let after = try await reconciler.reconcile(world.pool, reconcileId: "r\(index)")
            time.withLockedValue { $0 = $0.addingTimeInterval(after.inSeconds) }
            return after
        }
    }

    @Test func aSpikeScalesOutRebalancesAndTellsWhy() async throws {
        // 3 brokers at 250 MiB/s each against a 100 MiB/s target want 8; HPA's default scale-up
        // policy allows +4 pods per 15 s, and at 7 brokers (107 MiB/s each) the load is within
        // the 10% tolerance, so 7 it stays.
        let world = FakeWorld(pool: Self.pool(), brokers: 3, partitions: 48, bytesInPerSecond: 750 * Self.mebibyte)
        let harness = Harness(world: world)
        try await harness.step()
        let state = world.state.withLockedValue { $0 }
        #expect(state.patches.first == 7, "scaled 3 -> 7 first: \(state.patches)")
        #expect(state.events.contains("ScaleOut"))
        #expect(world.pool.status?.state == .scalingOut)
        #expect(world.pool.status?.observedGeneration == 4)
        for index in 1..<120 where world.pool.status?.state != .stable || world.state.withLockedValue({ $0.submitted.isEmpty }) {
            try await harness.step(index)
        }
        let done = world.state.withLockedValue { $0 }
        #expect(world.pool.status?.state == .stable && done.replicas == 7)
        #expect(!done.submitted.isEmpty && done.elections == 1)
        for broker in Int32(1003)...1006 { #expect(done.partitions.contains { $0.replicas.contains(broker) }) }

        // The decision's JSON line: from, to, every metric with value and target, the reason.
        let lines = world.logLines.withLockedValue { $0 }
        let decisions = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter {
            $0["message"] as? String == "decision"
        }
        let first = try #require(decisions.first)
        #expect(first["pool"] as? String == "shop/shop-events")
        #expect(first["reconcile_id"] as? String == "r0")
        #expect(first["from"] as? Int == 3 && first["to"] as? Int == 7)
        #expect(first["limited_by"] as? String == "ScaleUpLimit", "\(first)")
        #expect(first["dry_run"] as? Bool == false)
        let metric = try #require((first["metrics"] as? [[String: Any]])?.first)
        #expect(metric["name"] as? String == "bytes-in" && (metric["target"] as? Double) == 100 * Self.mebibyte)
        #expect(lines.contains { $0.contains("\"message\":\"plan submitted\"") && $0.contains("\"moves\":") })
        #expect(
            lines.allSatisfy { $0.contains("\"pool\":\"shop/shop-events\"") && $0.contains("\"reconcile_id\"") },
            "every line carries pool and reconcile_id")
        // And /metrics counts it.
        let exposition = harness.reconciler.metrics.exposition()
        #expect(exposition.contains("ebb_pool_desired_replicas{pool=\"shop/shop-events\"} 7.0"), "\(exposition)")
        #expect(exposition.contains("ebb_partition_moves_submitted_total"))
        #expect(exposition.contains("ebb_decisions_total{pool=\"shop/shop-events\",direction=\"up\""))
    }

    /// A pod that goes between the reconcile's read and its submit (the end-to-end chaos run saw
    /// it on a busy machine): the moves onto its broker are withheld, the others go, and the next
    /// plans leave that broker out until its pod is ready again.
    @Test func movesOntoABrokerWhosePodWentSinceTheReadAreWithheld() async throws {
        let world = FakeWorld(pool: Self.pool(), brokers: 3, partitions: 48, bytesInPerSecond: 750 * Self.mebibyte)
        let harness = Harness(world: world)
        try await harness.step()
        #expect(world.state.withLockedValue { $0.patches } == [7])
        // The next reconcile reads 7 ready pods, plans the rebalance onto 1003...1006, and by
        // the time it submits, broker 1006's pod (ordinal 6) has crashed.
        world.tick()
        world.state.withLockedValue { $0.podCrash = (read: $0.workloadReads + 1, ordinal: 6) }
        for index in 1..<60 where world.state.withLockedValue({ $0.submitted.isEmpty }) {
            try await harness.step(index)
        }
        let state = world.state.withLockedValue { $0 }
        let first = try #require(state.submitted.first)
        #expect(!first.isEmpty, "the moves onto the other new brokers went")
        for batch in state.submitted {
            for move in batch {
                #expect(
                    !move.to.contains(1006) || move.from.contains(1006), "\(move.topic)-\(move.partition) was sent to broker 1006, whose pod had gone"
                )
            }
        }
        #expect(first.contains { $0.to.contains(1003) || $0.to.contains(1004) || $0.to.contains(1005) })
        let log = world.logLines.withLockedValue { $0 }.joined(separator: "\n")
        #expect(log.contains("moves_withheld"), "the log says which moves wait")
    }

    @Test func anInvalidSpecIsReportedAndNothingMoves() async throws {
        var pool = Self.pool()
        pool.spec.minReplicas = 20
        let world = FakeWorld(pool: pool, brokers: 3, partitions: 12, bytesInPerSecond: 900 * Self.mebibyte)
        try await Harness(world: world).step()
        let state = world.state.withLockedValue { $0 }
        #expect(state.patches.isEmpty && state.submitted.isEmpty)
        let condition = try #require(world.pool.status?.conditions?.first { $0.type == .specValid })
        #expect(condition.status == .false && condition.reason == "InvalidSpec")
        #expect(condition.message.contains("minReplicas"), "\(condition.message)")
        #expect(state.events == ["InvalidSpec"])
    }

    @Test func withoutTheLeaseNothingIsWritten() async throws {
        let world = FakeWorld(pool: Self.pool(), brokers: 3, partitions: 12, bytesInPerSecond: 900 * Self.mebibyte)
        await #expect(throws: ReconcileError.self) { try await Harness(world: world, leadership: Leadership(leading: false)).step() }
        let state = world.state.withLockedValue { $0 }
        #expect(state.patches.isEmpty && state.statusWrites == 0 && state.events.isEmpty)
    }

    @Test func dryRunDecidesAndLogsButWritesNothingToTheCluster() async throws {
        let world = FakeWorld(pool: Self.pool(), brokers: 3, partitions: 12, bytesInPerSecond: 900 * Self.mebibyte)
        let harness = Harness(world: world, dryRun: true)
        for index in 0..<3 { try await harness.step(index) }
        let state = world.state.withLockedValue { $0 }
        #expect(state.patches.isEmpty && state.submitted.isEmpty)
        #expect(world.pool.status?.desiredReplicas == 7)
        #expect(world.pool.status?.lastDecision?.dryRun == true)
        #expect(world.logLines.withLockedValue { $0 }.contains { $0.contains("\"message\":\"decision\"") && $0.contains("\"dry_run\":true") })
    }

    @Test func blindItNeverScalesIn() async throws {
        let world = FakeWorld(pool: Self.pool(), brokers: 8, partitions: 32, bytesInPerSecond: 10 * Self.mebibyte)
        world.state.withLockedValue { $0.kafkaUp = false }
        let harness = Harness(world: world)
        for index in 0..<5 { try await harness.step(index) }
        #expect(world.state.withLockedValue { $0.patches }.isEmpty)
        #expect(world.pool.status?.conditions?.first { $0.type == .ableToScale }?.reason == "KafkaUnavailable")
        world.state.withLockedValue { $0.kafkaUp = true }
        for index in 5..<80 { try await harness.step(index) }
        #expect(world.state.withLockedValue { $0.replicas } == 3, "scales in once it can see")
    }
}

/// A new leader (a fresh reconciler, with none of the old one's memory) takes over mid-drain:
/// it resumes from the pool's status and the cluster, repeats nothing, and never shrinks under
/// a partition.
struct LeaderHandoverTests {
    @Test func aNewLeaderResumesADrain() async throws {
        var pool = PoolReconcilerTests.pool()
        pool.spec.replicas = 3
        pool.spec.reassignment = ReassignmentSpec(batchSize: 4)
        let world = FakeWorld(pool: pool, brokers: 6, partitions: 60, bytesInPerSecond: 0)
        let old = PoolReconcilerTests.Harness(world: world)
        for index in 0..<2 { try await old.step(index) }
        #expect(world.pool.status?.state == .draining)
        let submittedBefore = world.state.withLockedValue { $0.submitted.count }
        #expect(submittedBefore >= 1)
        // The old leader is gone; the new one starts from the status alone.
        let new = PoolReconcilerTests.Harness(world: world)
        for index in 2..<60 where world.pool.status?.state != .stable || world.state.withLockedValue({ $0.pods }) != 3 {
            try await new.step(index)
        }
        let state = world.state.withLockedValue { $0 }
        #expect(state.violations.isEmpty, "\(state.violations)")
        #expect(state.submitted.count > submittedBefore, "the new leader went on with the drain")
        #expect(world.pool.status?.state == .stable && state.replicas == 3 && state.pods == 3)
        #expect(!state.partitions.contains { $0.replicas.contains { $0 >= 1003 } })
        #expect(state.patches == [3], "one scale-in, by whichever leader verified the drain")
    }
}
