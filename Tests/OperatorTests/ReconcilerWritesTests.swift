import BrokerScaling
import Foundation
import KubernetesClient
import Operator
import Testing

/// What the reconciler writes, as the API server and a user see it: one action per observed
/// state even when the cache is behind, a status write only when something visible changed,
/// and Events that fail loudly.
struct ReconcilerWritesTests {
    typealias Harness = PoolReconcilerTests.Harness
    static let mebibyte = PoolReconcilerTests.mebibyte

    /// A pool draining 6 -> 3, stepped until the drain is verified; returns the pool as it was
    /// read by that last reconcile (what a lagging cache still holds afterwards).
    static func drainVerified(_ world: FakeWorld, _ harness: Harness) async throws -> BrokerPool {
        for index in 0..<60 {
            let before = world.pool
            try await harness.step(index)
            if world.state.withLockedValue({ $0.events.contains("DrainVerified") }) { return before }
        }
        Issue.record("the drain was never verified: \(world.state.withLockedValue { $0.events })")
        return world.pool
    }

    static func drainingWorld() -> FakeWorld {
        var pool = PoolReconcilerTests.pool()
        pool.spec.replicas = 3
        pool.spec.reassignment = ReassignmentSpec(batchSize: 8)
        return FakeWorld(pool: pool, brokers: 6, partitions: 30, bytesInPerSecond: 0)
    }

    @Test func aStaleCacheAfterDrainVerifiedDoesNotActAgain() async throws {
        let world = Self.drainingWorld()
        let harness = Harness(world: world)
        let stale = try await Self.drainVerified(world, harness)
        #expect(world.pool.status?.state == .scalingIn)
        let writes = world.state.withLockedValue { $0.statusWrites }
        // The StatefulSet's watch queues the pool at once; the cache still has it as it was
        // before the status write.
        let after = try await harness.reconciler.reconcile(stale, reconcileId: "stale")
        let state = world.state.withLockedValue { $0 }
        #expect(state.events.filter { $0 == "DrainVerified" }.count == 1, "\(state.events)")
        #expect(state.patches == [3], "one scale-in patch: \(state.patches)")
        #expect(state.statusWrites == writes, "no status write from a stale read (a 409 on a real server)")
        #expect(after <= .seconds(1), "looks again soon, once the cache has caught up: \(after)")
        // And once the cache shows the write, the sequence goes on to its end.
        for index in 100..<110 where world.pool.status?.state != .stable { try await harness.step(index) }
        #expect(world.pool.status?.state == .stable && world.state.withLockedValue { $0.pods } == 3)
        #expect(world.state.withLockedValue { $0.patches } == [3])
    }

    @Test func aStaleCacheAfterAScaleOutDoesNotPatchAgain() async throws {
        let world = FakeWorld(pool: PoolReconcilerTests.pool(), brokers: 3, partitions: 48, bytesInPerSecond: 750 * Self.mebibyte)
        let harness = Harness(world: world)
        let stale = world.pool
        try await harness.step()
        _ = try await harness.reconciler.reconcile(stale, reconcileId: "stale")
        let state = world.state.withLockedValue { $0 }
        #expect(state.patches == [7] && state.events == ["ScaleOut"], "\(state.patches) \(state.events)")
        #expect(state.statusWrites == 1)
        #expect(world.pool.status?.state == .scalingOut)
    }

    @Test func aReconcilerWithoutMemoryOfTheWriteIsStoppedByTheConflictBeforeActing() async throws {
        // A new leader (or any reconcile whose expectations lapsed) reading a stale pool: the
        // status is written before the actions, so its 409 comes before any action.
        let world = Self.drainingWorld()
        let stale = try await Self.drainVerified(world, Harness(world: world))
        let fresh = Harness(world: world)
        await #expect(throws: ReconcileError.self) { try await fresh.reconciler.reconcile(stale, reconcileId: "stale") }
        let state = world.state.withLockedValue { $0 }
        #expect(state.events.filter { $0 == "DrainVerified" }.count == 1, "\(state.events)")
        #expect(state.patches == [3], "\(state.patches)")
    }

    @Test func aDryRunPoolIsWrittenOnceHoweverOftenItIsReconciled() async throws {
        let world = FakeWorld(pool: PoolReconcilerTests.pool(), brokers: 3, partitions: 12, bytesInPerSecond: 900 * Self.mebibyte)
        let harness = Harness(world: world, dryRun: true)
        try await harness.step(0)
        let first = try #require(world.pool.status?.lastDecision)
        for index in 1..<30 { try await harness.step(index) }
        #expect(world.state.withLockedValue { $0.statusWrites } == 1)
        #expect(world.pool.status?.lastDecision == first, "the decision keeps the time it was first made")
        #expect(world.pool.status?.desiredReplicas == 7)
    }

    @Test func aPoolHoldingBlindIsWrittenOnce() async throws {
        let world = FakeWorld(pool: PoolReconcilerTests.pool(), brokers: 3, partitions: 12, bytesInPerSecond: 900 * Self.mebibyte)
        world.state.withLockedValue { $0.kafkaUp = false }
        let harness = Harness(world: world)
        for index in 0..<30 { try await harness.step(index) }
        let state = world.state.withLockedValue { $0 }
        #expect(state.statusWrites == 1, "\(state.statusWrites) writes")
        #expect(state.patches.isEmpty)
    }

    @Test func aRefusedEventIsLoggedAndCounted() async throws {
        let world = FakeWorld(pool: PoolReconcilerTests.pool(), brokers: 3, partitions: 48, bytesInPerSecond: 750 * Self.mebibyte)
        world.state.withLockedValue { $0.eventRefusal = 403 }
        let harness = Harness(world: world)
        try await harness.step()
        #expect(world.state.withLockedValue { $0.patches } == [7], "the scale-out itself went on")
        let lines = world.logLines.withLockedValue { $0 }
        let refusals = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["message"] as? String == "cannot record Event" }
        #expect(refusals.count == 1, "\(lines)")
        #expect(refusals.first?["level"] as? String == "warning")
        #expect(refusals.first?["event_reason"] as? String == "ScaleOut")
        #expect(refusals.first?["http_status"] as? String == "403")
        #expect(harness.reconciler.metrics.exposition().contains("ebb_errors_total{kind=\"event\"} 1"), "\(harness.reconciler.metrics.exposition())")
    }
}
