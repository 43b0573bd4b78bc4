import EbbTestSupport
import Foundation
import Simulator
import Testing

/// A shop's platform in the simulator: the CRD, namespace `shop`, the `automq-broker`
/// StatefulSet (3 pods, brokers 1000-1002), a Kafka face, a `shop-events` pool following
/// `spec.replicas`, and an `orders` topic on the three brokers.
struct ShopWorld {
    let kube: KubernetesWorld
    let kafka: SimulatedKafkaCluster
    let world: SimulatedWorld
    let kafkaServer: KafkaFaceServer

    func resource(_ plural: String) throws -> FaceResource { try #require(kube.resources.first { $0.plural == plural }) }

    static func make(partitions: Int, replication: Int = 1, extraSpec: String = "", kube: KubernetesWorld = KubernetesWorld()) async throws
        -> ShopWorld
    {
        let kafka = SimulatedKafkaCluster(moveSeconds: 0.2)
        let world = SimulatedWorld(kubernetes: kube, kafka: kafka, podReadySeconds: 0.2)
        let server = try await KafkaFaceServer.start(router: kafka.router())
        kafka.advertise(host: "127.0.0.1", port: server.port)
        let shop = ShopWorld(kube: kube, kafka: kafka, world: world, kafkaServer: server)
        let crd = try String(contentsOf: RealParts.root.appendingPathComponent("Manifests/crd/brokerpools.ebb.io.yaml"), encoding: .utf8)
        _ = try kube.create(try shop.resource("customresourcedefinitions"), namespace: nil, try JSON.yaml(crd))
        _ = try kube.create(try shop.resource("namespaces"), namespace: nil, try JSON.yaml("metadata: {name: shop}"))
        _ = try kube.create(
            try shop.resource("statefulsets"), namespace: "shop",
            try JSON.yaml(
                """
                metadata: {name: automq-broker, annotations: {ebb.io/pools: shop-events}}
                spec: {replicas: 3, selector: {matchLabels: {app: automq}}, template: {metadata: {labels: {app: automq}}}}
                """))
        _ = try kube.create(
            try shop.resource("brokerpools"), namespace: "shop",
            try JSON.yaml(
                """
                metadata: {name: shop-events}
                spec:
                  scaleTargetRef: {name: automq-broker}
                  brokerIdOffset: 1000
                  kafka: {bootstrapServers: ["\(server.address)"]}
                  minReplicas: 2
                  maxReplicas: 8
                  replicas: 3
                  pollingIntervalSeconds: 1
                \(extraSpec)
                """))
        world.tick(now: 0)
        world.tick(now: 1)
        kafka.createTopic("orders", replicas: (0..<partitions).map { index in (0..<replication).map { 1000 + Int32((index + $0) % 3) } })
        return shop
    }

    private init(kube: KubernetesWorld, kafka: SimulatedKafkaCluster, world: SimulatedWorld, kafkaServer: KafkaFaceServer) {
        self.kube = kube
        self.kafka = kafka
        self.world = world
        self.kafkaServer = kafkaServer
    }
}
