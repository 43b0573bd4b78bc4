import BrokerScaling
import Foundation
import Operator
import Testing

/// What `kubectl get bp` and `kubectl describe bp` show when Ebb cannot see what it scales: a
/// STATE, a condition saying why, and one Warning Event (not one per reconcile).
struct UnseenTargetTests {
    typealias Harness = PoolReconcilerTests.Harness

    @Test func aMissingStatefulSetBlocksThePoolAndSaysSoOnce() async throws {
        let world = FakeWorld(pool: PoolReconcilerTests.pool(), brokers: 3, partitions: 12, bytesInPerSecond: 900 * PoolReconcilerTests.mebibyte)
        world.state.withLockedValue { $0.targetMissing = true }
        let harness = Harness(world: world)
        for index in 0..<6 { try await harness.step(index) }
        var state = world.state.withLockedValue { $0 }
        #expect(world.pool.status?.state == .blocked)
        let condition = try #require(world.pool.status?.conditions?.first { $0.type == .ableToScale })
        #expect(condition.status == .false && condition.reason == "TargetNotFound")
        #expect(condition.message.contains("StatefulSet shop/automq-broker"), "\(condition.message)")
        #expect(state.events == ["TargetNotFound"], "one Warning Event, not one per reconcile: \(state.events)")
        #expect(state.statusWrites == 1 && state.patches.isEmpty)
        // The StatefulSet appears: the pool goes on as usual.
        world.state.withLockedValue { $0.targetMissing = false }
        try await harness.step(6)
        state = world.state.withLockedValue { $0 }
        #expect(world.pool.status?.conditions?.first { $0.type == .ableToScale }?.status == .true)
        #expect(world.pool.status?.state == .scalingOut && state.patches == [7])
    }

    @Test func aDrainThatCannotBePlannedWarnsOnceNotEveryReconcile() async throws {
        // Two replicas of every partition cannot fit on one broker.
        var pool = PoolReconcilerTests.pool()
        pool.spec.minReplicas = 1
        pool.spec.replicas = 1
        let world = FakeWorld(pool: pool, brokers: 3, partitions: 12, bytesInPerSecond: 0)
        let harness = Harness(world: world)
        for index in 0..<8 { try await harness.step(index) }
        let state = world.state.withLockedValue { $0 }
        #expect(world.pool.status?.state == .blocked)
        #expect(world.pool.status?.conditions?.first { $0.type == .ableToScale }?.reason == "Blocked")
        #expect(state.events.filter { $0 == "Blocked" }.count == 1, "\(state.events)")
        #expect(state.patches.isEmpty && state.violations.isEmpty)
    }

    @Test func aPoolBlindBelowMinReplicasSaysSo() async throws {
        let world = FakeWorld(pool: PoolReconcilerTests.pool(), brokers: 2, partitions: 12, bytesInPerSecond: 10 * PoolReconcilerTests.mebibyte)
        world.state.withLockedValue { $0.kafkaUp = false }
        let harness = Harness(world: world)
        for index in 0..<6 { try await harness.step(index) }
        let state = world.state.withLockedValue { $0 }
        #expect(world.pool.status?.state == .blocked, "STATE is not blank")
        let condition = try #require(world.pool.status?.conditions?.first { $0.type == .ableToScale })
        #expect(condition.status == .false && condition.reason == "KafkaUnavailable")
        #expect(condition.message.contains("connection refused") && condition.message.contains("below minReplicas 3"), "\(condition.message)")
        #expect(state.events == ["KafkaUnavailable"], "\(state.events)")
        #expect(state.patches.isEmpty)
        // Kafka is back: up to minReplicas at once.
        world.state.withLockedValue { $0.kafkaUp = true }
        try await harness.step(6)
        #expect(world.state.withLockedValue { $0.patches } == [3])
        #expect(world.pool.status?.state == .scalingOut)
    }
}
