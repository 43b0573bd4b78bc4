import BrokerScaling
import Foundation
import KubernetesTypes

/// The broker StatefulSet as the reconcile reads it.
public struct WorkloadState: Sendable, Hashable {
    /// spec.replicas
    public var replicas: Int32
    /// Pods that exist (status.replicas).
    public var pods: Int32
    public var ready: Int32
    /// The pods' label selector, for the scale subresource's status.
    public var selector: String?
    /// The StatefulSet's pods by ordinal, ready or not: which brokers are the pool's members.
    /// nil when not listed (ordinals 0 ..< pods are then taken to exist, the first `ready` ready).
    public var brokerPods: [BrokerPod]?

    public init(replicas: Int32, pods: Int32, ready: Int32, selector: String? = nil, brokerPods: [BrokerPod]? = nil) {
        self.replicas = replicas
        self.pods = pods
        self.ready = ready
        self.selector = selector
        self.brokerPods = brokerPods
    }
}

/// The pool's scale target does not exist (the API server answered 404): the pool reports it
/// (`TargetNotFound`) instead of failing each reconcile.
public struct WorkloadNotFound: Error, Sendable, Hashable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "StatefulSet \(namespace)/\(name) not found" }
}

/// The pool's scale target exists but does not name the pool in its `ebb.io/pools` annotation:
/// the pool reports it (`TargetNotOptedIn`) and the StatefulSet is left alone.
public struct WorkloadNotOptedIn: Error, Sendable, Hashable, CustomStringConvertible {
    public var namespace: String
    public var name: String
    public var pool: String

    public init(namespace: String, name: String, pool: String) {
        self.namespace = namespace
        self.name = name
        self.pool = pool
    }

    public var description: String {
        PoolOptIn.refusal(kind: "StatefulSet", resource: "statefulset", namespace: namespace, name: name, pool: pool, use: "scale it")
    }
}

/// The Kubernetes side of a pool, as the reconciler uses it. `ebb run` implements it with the
/// Kubernetes API; tests and the simulator with their own worlds.
public protocol WorkloadPort: Sendable {
    /// The pool's StatefulSet; throws `WorkloadNotFound` when it does not exist and
    /// `WorkloadNotOptedIn` when it does not name the pool (then it is not read further).
    func workload(of pool: BrokerPool) async throws -> WorkloadState
    func setReplicas(of pool: BrokerPool, to replicas: Int32) async throws
    /// Writes `status` through the status subresource; returns the pool as stored.
    func writeStatus(of pool: BrokerPool, _ status: BrokerPoolStatus) async throws -> BrokerPool
    /// Creates an Event about the pool; throws when the API server refuses it (a missing
    /// `events` rule: 403), so that the reconciler can log and count it.
    func recordEvent(about pool: BrokerPool, type: String, reason: String, action: String, note: String) async throws
}

/// The Kafka side of a pool.
public protocol KafkaPort: Sendable {
    func snapshot(of pool: BrokerPool) async throws -> ClusterSnapshot
    /// Submits one batch; returns the partitions it could not move, with why.
    func submit(_ moves: [PartitionMove], for pool: BrokerPool) async throws -> [String]
    func electPreferredLeaders(_ partitions: [String]?, for pool: BrokerPool) async throws
    /// The pool is gone: close what was kept open for it (its Kafka client's connections).
    func disconnect(_ pool: ObjectKey) async
}

extension KafkaPort {
    public func disconnect(_ pool: ObjectKey) async {}
}

/// Metric readings for a pool's `spec.metrics`.
public protocol MetricsPort: Sendable {
    func observe(_ pool: BrokerPool, now: Date, cluster: ClusterSnapshot?) async -> [MetricObservation]
    /// The pool's produce throughput (the BrokerThroughput In metric's total) over the last
    /// `spec.predictive.historyDays`, oldest first, for the forecast. Throws when it cannot be read.
    func throughputHistory(_ pool: BrokerPool, now: Date) async throws -> [MetricSample]
    /// The pool is gone: drop what was kept for it (recent readings, its history).
    func forget(_ pool: ObjectKey) async
}

/// A port that keeps no history: the forecast has nothing to learn from.
public struct NoThroughputHistory: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "this metric source keeps no throughput history" }
}

extension MetricsPort {
    public func throughputHistory(_ pool: BrokerPool, now: Date) async throws -> [MetricSample] { throw NoThroughputHistory() }
    public func forget(_ pool: ObjectKey) async {}
}
