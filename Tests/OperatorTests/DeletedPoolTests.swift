import BrokerMetrics
import BrokerScaling
import Foundation
import KubernetesTypes
import Operator
import Testing

/// A deleted pool leaves nothing behind: no gauge in `/metrics` that reads as its last value
/// forever, no kept readings that a pool created again under its name would start from.
struct DeletedPoolTests {
    @Test func aForgottenPoolsGaugesLeaveTheExposition() async throws {
        let world = FakeWorld(pool: PoolReconcilerTests.pool(), brokers: 3, partitions: 48, bytesInPerSecond: 750 * PoolReconcilerTests.mebibyte)
        let harness = PoolReconcilerTests.Harness(world: world)
        try await harness.step()
        let before = harness.reconciler.metrics.exposition()
        #expect(before.contains("ebb_pool_desired_replicas{pool=\"shop/shop-events\"}"), "\(before)")
        #expect(before.contains("ebb_pool_state{pool=\"shop/shop-events\""), "\(before)")

        await harness.reconciler.forget(ObjectKey(namespace: "shop", name: "shop-events"))
        let after = harness.reconciler.metrics.exposition()
        for gauge in ["ebb_pool_desired_replicas", "ebb_pool_current_replicas", "ebb_pool_ready_replicas", "ebb_pool_state"] {
            #expect(!after.contains("\(gauge){pool=\"shop/shop-events\""), "\(gauge) is still exported: \(after)")
        }
        // Counters of what happened stay, as a finished job's do.
        #expect(after.contains("ebb_decisions_total{pool=\"shop/shop-events\""))
        // The ports dropped the pool's readings and closed its Kafka client.
        #expect(world.state.withLockedValue { $0.forgotten } == ["metrics shop/shop-events", "kafka shop/shop-events"])
    }

    /// Deleted and created again under its name before a worker saw it gone: another pool
    /// (another uid), which starts afresh instead of from the old one's history.
    @Test func aPoolCreatedAgainUnderItsNameStartsAfresh() async throws {
        var first = PoolReconcilerTests.pool()
        first.metadata.uid = "uid-1"
        let world = FakeWorld(pool: first, brokers: 3, partitions: 48, bytesInPerSecond: 750 * PoolReconcilerTests.mebibyte)
        let harness = PoolReconcilerTests.Harness(world: world)
        try await harness.step()
        try await harness.step(1)
        #expect(world.state.withLockedValue { $0.forgotten }.isEmpty, "the same pool is not forgotten")
        world.state.withLockedValue { $0.pool.metadata.uid = "uid-2" }
        try await harness.step(2)
        #expect(world.state.withLockedValue { $0.forgotten } == ["metrics shop/shop-events", "kafka shop/shop-events"])
        let lines = world.logLines.withLockedValue { $0 }
        #expect(
            lines.contains { $0.contains("pool deleted and created again (uid uid-1 → uid-2); forgot what was kept for it") }, "\(lines.suffix(3))")
    }

    @Test func aClosedKafkaClientIsNotHandedOutAgain() async throws {
        let clients = KafkaClients(kubernetes: nil)
        let pool = PoolReconcilerTests.pool()
        let first = try await clients.client(for: pool)
        #expect(try await clients.client(for: pool) === first, "kept while the pool is there")
        await clients.close(ObjectKey(pool.metadata))
        #expect(try await clients.client(for: pool) !== first, "a new client after the pool was forgotten")
        await clients.closeAll()
    }

    @Test func aForgottenPoolsReadingsAreDropped() async throws {
        let (listener, source, pool) = try await OfferedAnswersTests.source()
        let start = OfferedAnswersTests.start
        for step in 0..<3 { _ = await source.observe(pool, now: start.addingTimeInterval(Double(10 * step)), cluster: nil) }
        await source.forget(ObjectKey(pool.metadata))
        let fresh = try #require(await source.observe(pool, now: start.addingTimeInterval(30), cluster: nil).first)
        #expect(fresh.samples?.count == 1 && fresh.offeredEarlier == [], "\(fresh)")
        await listener.stop()
    }
}
