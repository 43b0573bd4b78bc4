import BrokerScaling
import KubernetesClient

/// The BrokerPool as a resource of the generic client: the client knows no domain type, the
/// operator tells it where pools are served.
extension ResourceKind {
    public static let brokerPool = ResourceKind(group: BrokerPool.group, version: BrokerPool.version, plural: BrokerPool.plural)
}

extension BrokerPool: KubernetesResource {
    public static var resource: ResourceKind { .brokerPool }
    public static var kindName: String { kind }
}
