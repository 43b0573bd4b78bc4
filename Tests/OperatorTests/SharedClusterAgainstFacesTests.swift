import BrokerScaling
import EbbTestSupport
import Foundation
import KafkaAdmin
import KubernetesClient
import Logging
import Operator
import Simulator
import Testing

/// Issue 17 through the whole operator, against the simulator's faces: brokers stay in Kafka's
/// Metadata long after their pods are gone, and a second StatefulSet's brokers (2000-2002, with
/// a `billing` topic of their own) share the cluster. The pool scales out, rebalances, drains
/// and scales in, then scales out again while the brokers it removed are still listed. The
/// world checks at every step that no replica is placed on a broker without a running pod or
/// on a broker no pool owns, and that no billing partition moves.
struct SharedClusterAgainstFacesTests {
    @Test func lingeringAndForeignBrokersAreNeverUsed() async throws {
        let kube = KubernetesWorld()
        let kafka = SimulatedKafkaCluster(moveSeconds: 0.2)
        let world = SimulatedWorld(
            kubernetes: kube, kafka: kafka, podReadySeconds: 0.2,
            brokerSets: [SimulatedWorld.BrokerSet(namespace: "shop", statefulSet: "billing-broker", brokerIdOffset: 2000)],
            // Long enough that the removed brokers are still listed when the pool grows again.
            sessionTimeoutSeconds: 600)
        let kafkaServer = try await KafkaFaceServer.start(router: kafka.router())
        kafka.advertise(host: "127.0.0.1", port: kafkaServer.port)
        func resource(_ plural: String) throws -> FaceResource { try #require(kube.resources.first { $0.plural == plural }) }
        let crd = try String(contentsOf: RealParts.root.appendingPathComponent("Manifests/crd/brokerpools.ebb.io.yaml"), encoding: .utf8)
        _ = try kube.create(try resource("customresourcedefinitions"), namespace: nil, try JSON.yaml(crd))
        _ = try kube.create(try resource("namespaces"), namespace: nil, try JSON.yaml("metadata: {name: shop}"))
        for (name, app) in [("automq-broker", "automq"), ("billing-broker", "billing")] {
            _ = try kube.create(
                try resource("statefulsets"), namespace: "shop",
                try JSON.yaml(
                    """
                    metadata: {name: \(name), annotations: {ebb.io/pools: \(name == "automq-broker" ? "shop-events" : "billing")}}
                    spec: {replicas: 3, selector: {matchLabels: {app: \(app)}}, template: {metadata: {labels: {app: \(app)}}}}
                    """))
        }
        _ = try kube.create(
            try resource("brokerpools"), namespace: "shop",
            try JSON.yaml(
                """
                metadata: {name: shop-events}
                spec:
                  scaleTargetRef: {name: automq-broker}
                  brokerIdOffset: 1000
                  kafka: {bootstrapServers: ["\(kafkaServer.address)"]}
                  minReplicas: 2
                  maxReplicas: 8
                  replicas: 3
                  pollingIntervalSeconds: 1
                  reassignment: {batchSize: 6}
                """))
        world.tick(now: 0)
        world.tick(now: 1)
        #expect(kafka.brokerIds == [1000, 1001, 1002, 2000, 2001, 2002])
        kafka.createTopic("orders", replicas: (0..<24).map { index in (0..<2).map { 1000 + Int32((index + $0) % 3) } })
        kafka.createTopic("billing", replicas: (0..<12).map { index in (0..<2).map { 2000 + Int32((index + $0) % 3) } })
        world.freeze(topics: ["billing"])

        let start = MonotonicTime.now
        let kubeServer = try await KubernetesFaceServer.start(world: kube, bookmarkInterval: 1)
        let client = try Kubernetes(try KubernetesConfiguration(server: kubeServer.url), timeout: TestTime.scaled(.seconds(5)))
        let reconciler = PoolReconciler(
            workloads: KubernetesWorkloadPort(client: client, instance: "test"), kafka: KafkaClusterPort(clients: KafkaClients(kubernetes: nil)),
            metricSource: OperatorAgainstFacesTests.NoMetrics(), logger: Logger(label: "ebb") { _ in SwiftLogNoOpLogHandler() })
        let controller = PoolController(
            client: client, namespace: "shop", reconciler: reconciler, logger: Logger(label: "ebb") { _ in SwiftLogNoOpLogHandler() }, workers: 2)

        var sawLingering = false
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.runLeading() }
            group.addTask {
                while !Task.isCancelled {
                    world.tick(now: MonotonicTime.now - start + 2)
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            func pool() async throws -> BrokerPool { try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events") }
            func settled(_ replicas: Int32) async throws -> Bool {
                let set = try await client.get(StatefulSet.self, namespace: "shop", name: "automq-broker")
                let status = try await pool().status
                return status?.state == .stable && status?.reassignment == nil && set.spec?.replicas == replicas && set.status?.replicas == replicas
            }
            _ = try await client.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 6)
            try await OperatorAgainstFacesTests.eventually("scaled out to 6 and rebalanced") {
                try await settled(6) && (1003...1005).allSatisfy { !kafka.partitions(on: Int32($0)).isEmpty }
            }
            _ = try await client.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 2)
            try await OperatorAgainstFacesTests.eventually("drained and scaled in to 2") { try await settled(2) }
            // 1002-1005 have no pods but are still in Metadata; growing to 4 brings 1002 and 1003
            // back, and the rebalance must not use 1004 and 1005.
            sawLingering = world.lingering == [1002, 1003, 1004, 1005]
            _ = try await client.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 4)
            try await OperatorAgainstFacesTests.eventually("scaled out to 4 and rebalanced while 1004 and 1005 linger") {
                try await settled(4) && !kafka.partitions(on: 1002).isEmpty && !kafka.partitions(on: 1003).isEmpty
            }
            group.cancelAll()
        }
        await kubeServer.stop()
        await kafkaServer.stop()

        #expect(sawLingering, "the removed brokers were still listed: \(world.lingering)")
        #expect(world.lingering == [1004, 1005], "still listed at the end, without pods")
        #expect(world.violations.isEmpty, "\(world.violations.prefix(10))")
        for broker: Int32 in [1004, 1005] {
            #expect(kafka.partitions(on: broker).isEmpty, "lingering broker \(broker) holds \(kafka.partitions(on: broker))")
        }
        for partition in 0..<24 {
            #expect(
                kafka.replicas("orders", Int32(partition))?.allSatisfy { (1000...1003).contains($0) } == true,
                "orders-\(partition): \(kafka.replicas("orders", Int32(partition)) ?? [])")
        }
        for partition in 0..<12 {
            #expect(
                kafka.replicas("billing", Int32(partition)) == (0..<2).map { 2000 + Int32((partition + $0) % 3) }, "billing-\(partition) untouched")
        }
    }
}
