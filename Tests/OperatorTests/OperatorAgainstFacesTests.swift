import BrokerScaling
import EbbTestSupport
import Foundation
import KafkaAdmin
import KubernetesClient
import Logging
import NIOConcurrencyHelpers
import Operator
import Simulator
import Testing

/// The operator's controller, in this process, against the simulator's Kubernetes and Kafka
/// faces over loopback: a stock HPA-like writer sets the pool's replicas through the scale
/// subresource, and Ebb does the safe sequence for that count.
struct OperatorAgainstFacesTests {
    struct NoMetrics: MetricsPort {
        func observe(_ pool: BrokerPool, now: Date, cluster: ClusterSnapshot?) async -> [MetricObservation] { [] }
    }

    /// Waits for `condition` for `seconds` on a quiet machine, scaled by the test-time factor.
    static func eventually(
        _ what: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
    ) async throws {
        try await TestTime.eventually(what, within: .milliseconds(Int64(seconds * 1000)), sourceLocation: sourceLocation, condition)
    }

    @Test func externalReplicasScaleOutRebalanceDrainAndScaleIn() async throws {
        let shop = try await ShopWorld.make(partitions: 24, replication: 2, extraSpec: "  reassignment: {batchSize: 6}")
        let (kube, kafka, world, kafkaServer) = (shop.kube, shop.kafka, shop.world, shop.kafkaServer)
        func resource(_ plural: String) throws -> FaceResource { try shop.resource(plural) }
        #expect(kafka.brokerIds == [1000, 1001, 1002])
        let start = MonotonicTime.now
        let kubeServer = try await KubernetesFaceServer.start(world: kube, bookmarkInterval: 1)
        let client = try Kubernetes(try KubernetesConfiguration(server: kubeServer.url), timeout: TestTime.scaled(.seconds(5)))
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "ebb") { label in JSONLogHandler(label: label) { line in lines.withLockedValue { $0.append(line) } } }
        logger.logLevel = .info
        let reconciler = PoolReconciler(
            workloads: KubernetesWorkloadPort(client: client, instance: "test"), kafka: KafkaClusterPort(clients: KafkaClients(kubernetes: nil)),
            metricSource: NoMetrics(), logger: logger)
        let controller = PoolController(client: client, namespace: "shop", reconciler: reconciler, logger: logger, workers: 2)

        var violations: [String] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.runLeading() }
            group.addTask {
                while !Task.isCancelled {
                    world.tick(now: MonotonicTime.now - start + 1)
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            func pool() async throws -> BrokerPool { try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events") }
            // A stock HPA writes 5 through the scale subresource.
            _ = try await client.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 5)
            try await Self.eventually("scaled out to 5 and rebalanced onto the new brokers") {
                let state = try await pool().status?.state
                return state == .stable && kafka.brokerIds.count == 5 && !kafka.partitions(on: 1003).isEmpty && !kafka.partitions(on: 1004).isEmpty
            }
            // Then 2: drain 1002-1004 first, then shrink.
            _ = try await client.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 2)
            try await Self.eventually("drained and scaled in to 2") {
                let state = try await pool().status?.state
                let set = try await client.get(StatefulSet.self, namespace: "shop", name: "automq-broker")
                return state == .stable && set.spec?.replicas == 2 && set.status?.replicas == 2 && kafka.brokerIds == [1000, 1001]
            }
            let settled = try await pool()
            #expect(settled.status?.observedGeneration == settled.metadata.generation)
            #expect(reconciler.metrics.exposition().contains("ebb_pool_desired_replicas{pool=\"shop/shop-events\"}"))
            // The world's placement rules know a broker by its pool: judged while the pool is there.
            violations = world.violations
            // Deleted: the controller forgets it, and its gauges leave /metrics.
            try await client.delete(BrokerPool.self, namespace: "shop", name: "shop-events")
            try await Self.eventually("the deleted pool forgotten") {
                lines.withLockedValue { $0.contains { $0.contains("\"message\":\"pool gone; forgot what was kept for it\"") } }
            }
            #expect(!reconciler.metrics.exposition().contains("ebb_pool_desired_replicas{pool=\"shop/shop-events\"}"))
            group.cancelAll()
        }
        await kubeServer.stop()
        await kafkaServer.stop()

        #expect(violations.isEmpty, "\(violations)")
        for partition in 0..<24 { #expect(kafka.replicas("orders", Int32(partition))?.allSatisfy { $0 < 1002 } == true) }
        let events =
            ((try? JSON.parse(kube.listJSON(try resource("events"), namespace: "shop"))) ?? .null)["items"]?.arrayValue?.compactMap {
                $0["reason"]?.string
            } ?? []
        for reason in ["ScaleOut", "Rebalanced", "Drain", "DrainVerified", "ScaledIn"] { #expect(events.contains(reason), "\(events)") }
        let logged = lines.withLockedValue { $0 }
        #expect(logged.contains { $0.contains("\"message\":\"plan submitted\"") })
        #expect(logged.contains { $0.contains("\"message\":\"replicas patched\"") && $0.contains("\"to\":\"2\"") })
    }
}
