import BrokerScaling
import Foundation
import KubernetesClient
import KubernetesTypes

/// The workload port over the Kubernetes API: the StatefulSet through its scale subresource,
/// the pool's status through its status subresource, Events through events.k8s.io/v1.
public struct KubernetesWorkloadPort: WorkloadPort {
    public let client: Kubernetes
    /// Who writes the Events (`reportingInstance`): the pod's name.
    public let instance: String

    public init(client: Kubernetes, instance: String) {
        self.client = client
        self.instance = instance
    }

    public func workload(of pool: BrokerPool) async throws -> WorkloadState {
        let set: StatefulSet
        do {
            set = try await client.get(StatefulSet.self, namespace: pool.metadata.namespace, name: pool.spec.scaleTargetRef.name)
        } catch {
            guard error.apiError?.isNotFound == true else { throw error }
            throw WorkloadNotFound(namespace: pool.metadata.namespace ?? "default", name: pool.spec.scaleTargetRef.name)
        }
        // Creating a BrokerPool must not be a way to scale any StatefulSet of the namespace.
        guard PoolOptIn.allows(set.metadata.annotations, pool: pool.metadata.name ?? "") else {
            throw WorkloadNotOptedIn(
                namespace: pool.metadata.namespace ?? "default", name: pool.spec.scaleTargetRef.name, pool: pool.metadata.name ?? "")
        }
        return WorkloadState(
            replicas: set.spec?.replicas ?? 1, pods: set.status?.replicas ?? 0, ready: set.status?.readyReplicas ?? 0,
            selector: set.spec?.selector?.queryString, brokerPods: try await brokerPods(of: set, in: pool))
    }

    public func setReplicas(of pool: BrokerPool, to replicas: Int32) async throws {
        _ = try await client.setReplicas(
            StatefulSet.self, namespace: pool.metadata.namespace ?? "default", name: pool.spec.scaleTargetRef.name, replicas: replicas)
    }

    public func writeStatus(of pool: BrokerPool, _ status: BrokerPoolStatus) async throws -> BrokerPool {
        var updated = pool
        updated.status = status
        return try await client.replaceStatus(updated)
    }

    public func recordEvent(about pool: BrokerPool, type: String, reason: String, action: String, note: String) async throws {
        let now = Date()
        // client-go names events `object.<hex nanoseconds>`.
        let name = "\(pool.metadata.name ?? "pool").\(String(UInt64(now.timeIntervalSince1970 * 1e9), radix: 16))"
        let event = Event(
            metadata: ObjectMeta(name: name, namespace: pool.metadata.namespace), eventTime: TimeFormat.microTime(now),
            reportingController: "ebb.io/operator", reportingInstance: instance, action: action, reason: reason,
            regarding: .init(
                apiVersion: BrokerPool.apiVersion, kind: BrokerPool.kind, namespace: pool.metadata.namespace, name: pool.metadata.name,
                uid: pool.metadata.uid, resourceVersion: pool.metadata.resourceVersion),
            note: note, type: type)
        // The reconciler logs and counts a refusal; it does not fail the reconcile for it.
        _ = try await client.create(event)
    }
}
