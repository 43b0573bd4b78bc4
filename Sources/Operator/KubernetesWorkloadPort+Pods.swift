import BrokerScaling
import KubernetesClient

extension KubernetesWorkloadPort {
    /// The StatefulSet's pods by ordinal, ready or not: they say which brokers are the pool's
    /// members (the StatefulSet's counts do not say which ordinals are ready).
    func brokerPods(of set: StatefulSet, in pool: BrokerPool) async throws -> [BrokerPod] {
        let name = pool.spec.scaleTargetRef.name
        let pods: [Pod]
        do {
            pods = try await client.list(Pod.self, namespace: pool.metadata.namespace, labelSelector: set.spec?.selector?.queryString).items
        } catch {
            throw ReconcileError.step("list the pods of StatefulSet \(name)", cause: "\(error)")
        }
        return Self.brokerPods(pods, of: name)
    }

    /// The StatefulSet's own pods (`NAME-ordinal`), by ordinal.
    static func brokerPods(_ pods: [Pod], of statefulSet: String) -> [BrokerPod] {
        pods.compactMap { pod in
            guard let name = pod.metadata.name, name.hasPrefix("\(statefulSet)-"), let ordinal = Int32(name.dropFirst(statefulSet.count + 1)),
                ordinal >= 0
            else { return nil }
            return BrokerPod(ordinal: ordinal, ready: pod.isReady)
        }.sorted { $0.ordinal < $1.ordinal }
    }
}
