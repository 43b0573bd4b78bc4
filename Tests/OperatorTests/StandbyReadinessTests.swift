import BrokerScaling
import EbbTestSupport
import Foundation
import KafkaAdmin
import KubernetesClient
import KubernetesTypes
import Logging
import Operator
import Simulator
import Testing

/// The shipped Deployment runs two replicas with readiness on `/readyz`: the one waiting for the
/// Lease must be Ready too, or a rolling update stalls on it.
struct StandbyReadinessTests {
    @Test func aStandbyWaitingForTheLeaseIsReadyAndWritesNothing() async throws {
        let shop = try await ShopWorld.make(partitions: 6)
        _ = try shop.kube.create(try shop.resource("namespaces"), namespace: nil, try JSON.yaml("metadata: {name: ebb-system}"))
        let kubeServer = try await KubernetesFaceServer.start(world: shop.kube, bookmarkInterval: 1)
        let client = try Kubernetes(try KubernetesConfiguration(server: kubeServer.url), timeout: .seconds(5))
        // Another replica holds the Lease, and will for an hour.
        let now = TimeFormat.microTime(Date())
        _ = try await client.create(
            Lease(
                metadata: ObjectMeta(name: "ebb-operator", namespace: "ebb-system"),
                spec: .init(holderIdentity: "ebb-leader", leaseDurationSeconds: 3600, acquireTime: now, renewTime: now)))
        var logger = Logger(label: "standby")
        logger.logLevel = .critical
        let elector = LeaderElector(client: client, namespace: "ebb-system", name: "ebb-operator", identity: "ebb-standby", logger: logger)
        let reconciler = PoolReconciler(
            workloads: KubernetesWorkloadPort(client: client, instance: "ebb-standby"),
            kafka: KafkaClusterPort(clients: KafkaClients(kubernetes: nil)),
            metricSource: OperatorAgainstFacesTests.NoMetrics(), logger: logger, leadership: elector.leadership)
        let controller = PoolController(client: client, namespace: "shop", reconciler: reconciler, logger: logger, elector: elector)
        let server = OperatorHTTPServer(address: try BindAddress("127.0.0.1:0"), metrics: reconciler.metrics, logger: logger) { controller.isReady }

        var status = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            group.addTask { try await server.run() }
            try await OperatorAgainstFacesTests.eventually("the standby answers /readyz 200") {
                guard let port = server.port else { return false }
                let http = try HTTPEndpoint(
                    HTTPEndpointConfiguration(address: ServerAddress("http://127.0.0.1:\(port)")!, peer: "the standby", limits: .kubernetes))
                status = (try? await http.send(.GET, "/readyz", timeout: .seconds(2)))?.status ?? 0
                return status == 200
            }
            group.cancelAll()
        }
        await kubeServer.stop()
        await shop.kafkaServer.stop()
        #expect(status == 200)
        #expect(!elector.leadership.isLeading, "the other replica holds the Lease")
        #expect(controller.pools.get(namespace: "shop", name: "shop-events") != nil, "the standby's cache is warm")
        let pool = try shop.kube.get(try shop.resource("brokerpools"), namespace: "shop", name: "shop-events")
        #expect(pool.value(at: "status") == nil, "a standby writes nothing: \(String(describing: pool.value(at: "status")))")
    }
}
