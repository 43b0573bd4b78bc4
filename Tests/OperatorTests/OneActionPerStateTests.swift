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

/// The operator in this process against a Kubernetes face whose watches lag its writes by
/// 50-200 ms, as a real API server's watch cache does, and which holds the operator to the
/// shipped ClusterRole and Role: a scale out and a drain give one scale patch per decision, one
/// Event per step, no 409 on a status write and no 403.
struct OneActionPerStateTests {
    /// The workload port as the operator uses it, counting what it sends.
    final class Counting: WorkloadPort, @unchecked Sendable {
        let inner: KubernetesWorkloadPort
        let patches = NIOLockedValueBox<[Int32]>([])
        let events = NIOLockedValueBox<[String]>([])
        init(_ inner: KubernetesWorkloadPort) { self.inner = inner }

        func workload(of pool: BrokerPool) async throws -> WorkloadState { try await inner.workload(of: pool) }
        func setReplicas(of pool: BrokerPool, to replicas: Int32) async throws {
            patches.withLockedValue { $0.append(replicas) }
            try await inner.setReplicas(of: pool, to: replicas)
        }
        func writeStatus(of pool: BrokerPool, _ status: BrokerPoolStatus) async throws -> BrokerPool { try await inner.writeStatus(of: pool, status) }
        func recordEvent(about pool: BrokerPool, type: String, reason: String, action: String, note: String) async throws {
            events.withLockedValue { $0.append(reason) }
            try await inner.recordEvent(about: pool, type: type, reason: reason, action: action, note: note)
        }
    }

    /// The shipped RBAC (namespace, ServiceAccount, roles and bindings) stored in `kube`.
    static func installRBAC(_ shop: ShopWorld) throws {
        let rbac = try String(contentsOf: RealParts.root.appendingPathComponent("Manifests/rbac/rbac.yaml"), encoding: .utf8)
        try shop.kube.createAll(rbac)
    }

    @Test func aLaggingCacheGetsOneActionPerStateWithTheShippedRBAC() async throws {
        let shop = try await ShopWorld.make(
            partitions: 24, replication: 2, extraSpec: "  reassignment: {batchSize: 6}", kube: KubernetesWorld(watchDelay: 0.05...0.2))
        try Self.installRBAC(shop)
        let (kafka, world) = (shop.kafka, shop.world)
        let start = MonotonicTime.now
        let kubeServer = try await KubernetesFaceServer.start(
            world: shop.kube, bookmarkInterval: 1, bearerToken: "admin-token", users: ["ebb-token": .serviceAccount("ebb-system", "ebb")])
        let admin = try Kubernetes(
            try KubernetesConfiguration(server: kubeServer.url, credentials: .token("admin-token")), timeout: TestTime.scaled(.seconds(5)))
        let operatorClient = try Kubernetes(
            try KubernetesConfiguration(server: kubeServer.url, credentials: .token("ebb-token")), timeout: TestTime.scaled(.seconds(5)))
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "ebb") { label in JSONLogHandler(label: label) { line in lines.withLockedValue { $0.append(line) } } }
        logger.logLevel = .info
        let workloads = Counting(KubernetesWorkloadPort(client: operatorClient, instance: "test"))
        let reconciler = PoolReconciler(
            workloads: workloads, kafka: KafkaClusterPort(clients: KafkaClients(kubernetes: nil)),
            metricSource: OperatorAgainstFacesTests.NoMetrics(), logger: logger)
        let controller = PoolController(client: operatorClient, namespace: "shop", reconciler: reconciler, logger: logger, workers: 2)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.runLeading() }
            group.addTask {
                while !Task.isCancelled {
                    world.tick(now: MonotonicTime.now - start + 1)
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            func state() async throws -> PoolState? { try await admin.get(BrokerPool.self, namespace: "shop", name: "shop-events").status?.state }
            // The operator has looked at the pool once (so that the HPA's write below is the only
            // one it has not seen yet), then a stock HPA writes 5.
            try await OperatorAgainstFacesTests.eventually("the pool reconciled once") { try await state() == .stable }
            _ = try await admin.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 5)
            try await OperatorAgainstFacesTests.eventually("scaled out to 5 and rebalanced") {
                try await state() == .stable && kafka.brokerIds.count == 5 && !kafka.partitions(on: 1004).isEmpty
            }
            _ = try await admin.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 2)
            try await OperatorAgainstFacesTests.eventually("drained and scaled in to 2") {
                let set = try await admin.get(StatefulSet.self, namespace: "shop", name: "automq-broker")
                return try await state() == .stable && set.status?.replicas == 2 && kafka.brokerIds == [1000, 1001]
            }
            group.cancelAll()
        }
        await kubeServer.stop()
        await shop.kafkaServer.stop()
        // Every ClusterRole grant was used but Secrets (this pool has no SASL or TLS); the
        // Lease Role is for leader election, not run here.
        let unused = shop.kube.unusedGrants(of: .serviceAccount("ebb-system", "ebb")).map(\.description).filter { $0.hasPrefix("ClusterRole") }
        #expect(unused.count == 1 && unused.first?.hasSuffix("get secrets") == true, "grants never used: \(unused)")

        #expect(world.violations.isEmpty, "\(world.violations)")
        #expect(workloads.patches.withLockedValue { $0 } == [5, 2], "one scale patch per decision")
        let events = workloads.events.withLockedValue { $0 }
        for reason in ["ScaleOut", "BrokersReady", "Rebalanced", "Drain", "DrainVerified", "ScaledIn"] {
            #expect(events.filter { $0 == reason }.count == 1, "one \(reason) Event: \(events)")
        }
        let logged = lines.withLockedValue { $0 }
        let failures = logged.filter {
            $0.contains("\"message\":\"reconcile failed; retrying\"") || $0.contains("\"message\":\"cannot record Event\"")
        }
        #expect(failures.isEmpty, "no 409 from a stale read, no 403 from a missing rule: \(failures)")
        #expect(!reconciler.metrics.exposition().contains("ebb_errors_total"), "\(reconciler.metrics.exposition())")
        // A status write that conflicts is safe (it comes before the actions) but means a
        // reconcile read a pool older than a write: with expectations, none of ours.
        let conflicts = logged.filter { $0.contains("\"message\":\"pool changed since it was read; looking again\"") }
        #expect(conflicts.isEmpty, "no status write from a stale read: \(conflicts)")
    }
}
