import Simulator
import Testing

/// The simulated StatefulSet controller: pods by ordinal, the highest removed first, ready
/// after a delay, and the StatefulSet's status counting them.
struct StatefulSetControllerTests {
    static func world() throws -> (KubernetesWorld, FaceResource, FaceResource) {
        let world = KubernetesWorld()
        let sets = try #require(world.resources.first { $0.plural == "statefulsets" })
        let pods = try #require(world.resources.first { $0.plural == "pods" })
        _ = try world.create(
            sets, namespace: "default",
            try JSON.yaml(
                """
                metadata: {name: automq-broker}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: automq}}
                  template: {metadata: {labels: {app: automq}}}
                """))
        return (world, sets, pods)
    }

    static func names(_ world: KubernetesWorld, _ pods: FaceResource) -> [String] {
        ((try? JSON.parse(Array(world.listJSON(pods)))) ?? .null)["items"]?.arrayValue?.compactMap { $0.value(at: "metadata.name")?.string }.sorted()
            ?? []
    }

    @Test func podsByOrdinalReadyAfterTheDelay() throws {
        let (world, sets, pods) = try Self.world()
        let controller = StatefulSetController(world: world, readyAfter: 20)
        #expect(controller.reconcile(now: 100).isEmpty)
        #expect(Self.names(world, pods) == ["automq-broker-0", "automq-broker-1", "automq-broker-2"])
        var set = try world.get(sets, namespace: "default", name: "automq-broker")
        #expect(set.value(at: "status.replicas")?.int == 3 && set.value(at: "status.readyReplicas")?.int == 0)
        #expect(controller.reconcile(now: 119).isEmpty)
        #expect(try world.get(sets, namespace: "default", name: "automq-broker").value(at: "status.readyReplicas")?.int == 0)
        #expect(controller.reconcile(now: 120).isEmpty)
        set = try world.get(sets, namespace: "default", name: "automq-broker")
        #expect(set.value(at: "status.readyReplicas")?.int == 3)
        let pod = try world.get(pods, namespace: "default", name: "automq-broker-1")
        #expect(pod.value(at: "metadata.labels")?["app"]?.string == "automq")
        #expect(pod.value(at: "status.phase")?.string == "Running")
    }

    @Test func scalingInRemovesTheHighestOrdinals() throws {
        let (world, sets, pods) = try Self.world()
        let controller = StatefulSetController(world: world, readyAfter: 0)
        #expect(controller.reconcile(now: 0).isEmpty)
        _ = try world.modify(sets, namespace: "default", name: "automq-broker", subresource: nil) { current in
            var next = current
            next.set(.int(5), at: "spec.replicas")
            return next
        }
        #expect(controller.reconcile(now: 1).isEmpty)
        #expect(Self.names(world, pods).count == 5)
        _ = try world.modify(sets, namespace: "default", name: "automq-broker", subresource: nil) { current in
            var next = current
            next.set(.int(2), at: "spec.replicas")
            return next
        }
        #expect(controller.reconcile(now: 2).isEmpty)
        #expect(Self.names(world, pods) == ["automq-broker-0", "automq-broker-1"])
        #expect(try world.get(sets, namespace: "default", name: "automq-broker").value(at: "status.replicas")?.int == 2)
    }
}
