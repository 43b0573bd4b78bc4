import BrokerScaling
import Foundation

/// The broker StatefulSet as the reconcile reads it.
public struct WorkloadState: Sendable, Hashable {
    /// spec.replicas
    public var replicas: Int32
    /// Pods that exist (status.replicas).
    public var pods: Int32
    public var ready: Int32
    /// The pods' label selector, for the scale subresource's status.
    public var selector: String?

    public init(replicas: Int32, pods: Int32, ready: Int32, selector: String? = nil) {
        self.replicas = replicas
        self.pods = pods
        self.ready = ready
        self.selector = selector
    }
}

/// The Kubernetes side of a pool, as the reconciler uses it. `ebb run` implements it with the
/// Kubernetes API; tests and the simulator with their own worlds.
public protocol WorkloadPort: Sendable {
    func workload(of pool: BrokerPool) async throws -> WorkloadState
    func setReplicas(of pool: BrokerPool, to replicas: Int32) async throws
    /// Writes `status` through the status subresource; returns the pool as stored.
    func writeStatus(of pool: BrokerPool, _ status: BrokerPoolStatus) async throws -> BrokerPool
    func recordEvent(about pool: BrokerPool, type: String, reason: String, action: String, note: String) async
}

/// The Kafka side of a pool.
public protocol KafkaPort: Sendable {
    func snapshot(of pool: BrokerPool) async throws -> ClusterSnapshot
    /// Submits one batch; returns the partitions it could not move, with why.
    func submit(_ moves: [PartitionMove], for pool: BrokerPool) async throws -> [String]
    func electPreferredLeaders(_ partitions: [String]?, for pool: BrokerPool) async throws
}

/// Metric readings for a pool's `spec.metrics`.
public protocol MetricsPort: Sendable {
    func observe(_ pool: BrokerPool, now: Date, cluster: ClusterSnapshot?) async -> [MetricObservation]
}
