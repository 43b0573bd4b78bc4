import BrokerScaling
import Foundation
import Testing

@testable import Simulator

/// The simulated world models what real clusters do: a broker whose pod is deleted stays in
/// Metadata until its session times out, serving nothing; brokers of other StatefulSets share
/// the cluster; and the invariant catches a replica placed on a broker without a running pod,
/// whether or not Metadata lists it.
struct LingeringBrokerTests {
    func world(sessionTimeout: Double = 9) throws -> (SimulatedWorld, KubernetesWorld, SimulatedKafkaCluster) {
        let kube = KubernetesWorld()
        let kafka = SimulatedKafkaCluster(moveSeconds: 1)
        let world = SimulatedWorld(
            kubernetes: kube, kafka: kafka, podReadySeconds: 1,
            brokerSets: [
                .init(namespace: "shop", statefulSet: "automq-broker"), .init(namespace: "shop", statefulSet: "billing-broker", brokerIdOffset: 2000)
            ],
            sessionTimeoutSeconds: sessionTimeout)
        let crd = try #require(InstallManifests.files.first { $0.path.hasPrefix("crd/") })
        _ = try kube.create(
            try #require(kube.resources.first { $0.plural == "customresourcedefinitions" }), namespace: nil, try JSON.yaml(try crd.render()))
        let sets = try #require(kube.resources.first { $0.plural == "statefulsets" })
        _ = try kube.create(try #require(kube.resources.first { $0.plural == "namespaces" }), namespace: nil, try JSON.yaml("metadata: {name: shop}"))
        for name in ["automq-broker", "billing-broker"] {
            _ = try kube.create(
                sets, namespace: "shop",
                try JSON.yaml(
                    """
                    metadata: {name: \(name)}
                    spec: {replicas: 3, selector: {matchLabels: {app: \(name)}}, template: {metadata: {labels: {app: \(name)}}}}
                    """))
        }
        world.tick(now: 0)
        world.tick(now: 2)
        return (world, kube, kafka)
    }

    func scale(_ kube: KubernetesWorld, to replicas: Int) throws {
        let sets = try #require(kube.resources.first { $0.plural == "statefulsets" })
        _ = try kube.modify(sets, namespace: "shop", name: "automq-broker", subresource: nil) { current in
            var next = current
            next["spec"]?["replicas"] = .int(Int64(replicas))
            return next
        }
    }

    @Test func aBrokerStaysInMetadataForItsSessionTimeoutAfterItsPodGoes() throws {
        let (world, kube, kafka) = try world()
        #expect(kafka.brokerIds == [0, 1, 2, 2000, 2001, 2002])
        try scale(kube, to: 2)
        world.tick(now: 3)
        #expect(kafka.brokerIds.contains(2), "the pod is gone, the broker is still listed")
        #expect(world.lingering == [2])
        world.tick(now: 11.9)
        #expect(kafka.brokerIds.contains(2))
        world.tick(now: 12)
        #expect(!kafka.brokerIds.contains(2) && world.lingering.isEmpty, "gone after the 9 s session timeout")
        #expect(world.violations.isEmpty, "\(world.violations)")
    }

    @Test func aReplicaPlacedOnALingeringBrokerIsAViolation() throws {
        let (world, kube, kafka) = try world()
        kafka.createTopic("orders", replicas: [[0], [1]])
        try scale(kube, to: 2)
        world.tick(now: 3)
        // Metadata lists broker 2, so Kafka accepts the move; the world does not.
        let response = kafka.alterReassignments(
            .init(timeoutMs: 1000, topics: [.init(name: "orders", partitions: [.init(partitionIndex: 1, replicas: [2])])]))
        #expect(response.responses.first?.partitions.first?.errorCode == 0)
        world.tick(now: 3.5)
        world.tick(now: 5)
        #expect(world.violations.contains("orders-1 was placed on broker 2, which has no running pod"), "\(world.violations)")
        #expect(world.violations.contains("orders-1 has a replica on broker 2, which has no running pod"), "\(world.violations)")
    }

    @Test func aMoveOntoAnotherStatefulSetsBrokerOrOfAFrozenPartitionIsAViolation() throws {
        let (world, _, kafka) = try world()
        kafka.createTopic("billing", replicas: [[2000], [2001]])
        kafka.createTopic("orders", replicas: [[0]])
        world.freeze(topics: ["billing"])
        _ = kafka.alterReassignments(
            .init(
                timeoutMs: 1000,
                topics: [
                    .init(name: "orders", partitions: [.init(partitionIndex: 0, replicas: [2002])]),
                    .init(name: "billing", partitions: [.init(partitionIndex: 0, replicas: [0])])
                ]))
        world.tick(now: 2.5)
        world.tick(now: 4)
        #expect(world.violations.contains("orders-0 was placed on broker 2002, which is no pool's"), "\(world.violations)")
        #expect(world.violations.contains { $0.hasPrefix("billing-0, which is no pool's, was moved") }, "\(world.violations)")
    }
}
