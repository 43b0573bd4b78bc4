import KubernetesTypes

/// A label selector's `matchLabels` (what StatefulSets created by charts use).
public struct LabelSelector: Sendable, Hashable, Codable {
    public var matchLabels: [String: String]?

    public init(matchLabels: [String: String]? = nil) { self.matchLabels = matchLabels }

    /// `a=b,c=d`, as the `labelSelector` query parameter takes it.
    public var queryString: String {
        (matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}

/// The parts of an apps/v1 StatefulSet that Ebb reads and writes.
public struct StatefulSet: KubernetesResource, Hashable {
    public static let resource = ResourceKind.statefulSet
    public static let kindName = "StatefulSet"

    public struct Spec: Sendable, Hashable, Codable {
        public var replicas: Int32?
        public var serviceName: String?
        public var selector: LabelSelector?
        public init(replicas: Int32? = nil, serviceName: String? = nil, selector: LabelSelector? = nil) {
            self.replicas = replicas
            self.serviceName = serviceName
            self.selector = selector
        }
    }

    public struct Status: Sendable, Hashable, Codable {
        public var observedGeneration: Int64?
        public var replicas: Int32?
        public var readyReplicas: Int32?
        public var currentReplicas: Int32?
        public var updatedReplicas: Int32?
        public var availableReplicas: Int32?
        public init(observedGeneration: Int64? = nil, replicas: Int32? = nil, readyReplicas: Int32? = nil) {
            self.observedGeneration = observedGeneration
            self.replicas = replicas
            self.readyReplicas = readyReplicas
        }
    }

    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "StatefulSet"
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The parts of a v1 Pod that Ebb reads.
public struct Pod: KubernetesResource, Hashable {
    public static let resource = ResourceKind.pod
    public static let kindName = "Pod"

    public struct Condition: Sendable, Hashable, Codable {
        public var type: String
        public var status: String
        public init(type: String, status: String) {
            self.type = type
            self.status = status
        }
    }

    public struct Status: Sendable, Hashable, Codable {
        public var phase: String?
        public var podIP: String?
        public var conditions: [Condition]?
        public init(phase: String? = nil, podIP: String? = nil, conditions: [Condition]? = nil) {
            self.phase = phase
            self.podIP = podIP
            self.conditions = conditions
        }
    }

    public var apiVersion: String? = "v1"
    public var kind: String? = "Pod"
    public var metadata: ObjectMeta
    public var status: Status?

    public init(metadata: ObjectMeta, status: Status? = nil) {
        self.metadata = metadata
        self.status = status
    }

    /// Ready as the kubelet reports it, and not being deleted.
    public var isReady: Bool {
        metadata.deletionTimestamp == nil && status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
    }

    /// The StatefulSet ordinal: the number after the last dash of the name.
    public var ordinal: Int? {
        guard let name = metadata.name, let dash = name.lastIndex(of: "-") else { return nil }
        return Int(name[name.index(after: dash)...])
    }
}

/// The autoscaling/v1 Scale subresource.
public struct Scale: Sendable, Hashable, Codable {
    public struct Spec: Sendable, Hashable, Codable {
        public var replicas: Int32?
    }

    public struct Status: Sendable, Hashable, Codable {
        public var replicas: Int32
        public var selector: String?
    }

    public var apiVersion: String? = "autoscaling/v1"
    public var kind: String? = "Scale"
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, replicas: Int32) {
        self.metadata = metadata
        self.spec = Spec(replicas: replicas)
    }
}
