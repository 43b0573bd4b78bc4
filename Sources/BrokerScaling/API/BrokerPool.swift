/// The `BrokerPool` custom resource (`ebb.io/v1alpha1`, namespaced, short name `bp`).
///
/// A BrokerPool names one broker StatefulSet of a diskless Kafka cluster and says how Ebb should
/// size it: the bounds, the metrics and their targets, the HPA-style `behavior`, schedules for
/// campaigns known in advance, and how partitions move when brokers come and go.
public struct BrokerPool: Sendable, Hashable, Codable {
    public static let group = "ebb.io"
    public static let version = "v1alpha1"
    public static let kind = "BrokerPool"
    public static let plural = "brokerpools"
    public static let singular = "brokerpool"
    public static let shortNames = ["bp"]
    public static var apiVersion: String { "\(group)/\(version)" }

    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: BrokerPoolSpec
    public var status: BrokerPoolStatus?

    public init(metadata: ObjectMeta, spec: BrokerPoolSpec, status: BrokerPoolStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The subset of Kubernetes `ObjectMeta` that Ebb reads and writes.
public struct ObjectMeta: Sendable, Hashable, Codable {
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(
        name: String? = nil, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil,
        generation: Int64? = nil, creationTimestamp: String? = nil, deletionTimestamp: String? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.labels = labels
        self.annotations = annotations
    }
}
