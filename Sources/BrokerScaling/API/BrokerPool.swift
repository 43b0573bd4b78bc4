import KubernetesTypes

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
