/// What the user wants of a broker pool. Field documentation lives in `BrokerPoolSchema`, which
/// is also the CRD's OpenAPI schema; optional fields take the defaults named there, exposed here
/// as `effective…` accessors so that every caller applies the same default.
public struct BrokerPoolSpec: Sendable, Hashable, Codable {
    public var scaleTargetRef: ScaleTargetReference
    public var brokerIdOffset: Int32?
    public var kafka: KafkaConnection
    public var minReplicas: Int32?
    public var maxReplicas: Int32
    public var replicas: Int32?
    public var pollingIntervalSeconds: Int32?
    public var scaleInCooldownSeconds: Int32?
    public var metrics: [MetricSpec]?
    public var behavior: ScalingBehavior?
    public var schedules: [ScalingSchedule]?
    public var reassignment: ReassignmentSpec?
    public var partitionAwareness: PartitionAwareness?
    public var paused: Bool?
    public var pausedScaleIn: Bool?
    public var pausedScaleOut: Bool?
    public var dryRun: Bool?
    public var fallback: FallbackSpec?
    public var ownership: PoolOwnership?
    public var capacity: BrokerCapacity?
    public var predictive: PredictiveScaling?

    public init(
        scaleTargetRef: ScaleTargetReference, brokerIdOffset: Int32? = nil, kafka: KafkaConnection,
        minReplicas: Int32? = nil, maxReplicas: Int32, replicas: Int32? = nil, pollingIntervalSeconds: Int32? = nil,
        scaleInCooldownSeconds: Int32? = nil,
        metrics: [MetricSpec]? = nil, behavior: ScalingBehavior? = nil, schedules: [ScalingSchedule]? = nil,
        reassignment: ReassignmentSpec? = nil, partitionAwareness: PartitionAwareness? = nil,
        paused: Bool? = nil, pausedScaleIn: Bool? = nil, pausedScaleOut: Bool? = nil, dryRun: Bool? = nil,
        fallback: FallbackSpec? = nil, ownership: PoolOwnership? = nil, capacity: BrokerCapacity? = nil,
        predictive: PredictiveScaling? = nil
    ) {
        self.capacity = capacity
        self.predictive = predictive
        self.scaleTargetRef = scaleTargetRef
        self.brokerIdOffset = brokerIdOffset
        self.kafka = kafka
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.replicas = replicas
        self.pollingIntervalSeconds = pollingIntervalSeconds
        self.scaleInCooldownSeconds = scaleInCooldownSeconds
        self.metrics = metrics
        self.behavior = behavior
        self.schedules = schedules
        self.reassignment = reassignment
        self.partitionAwareness = partitionAwareness
        self.paused = paused
        self.pausedScaleIn = pausedScaleIn
        self.pausedScaleOut = pausedScaleOut
        self.dryRun = dryRun
        self.fallback = fallback
        self.ownership = ownership
    }

    public static let defaultMinReplicas: Int32 = 1
    public static let defaultPollingIntervalSeconds: Int32 = 10

    public var effectiveMinReplicas: Int32 { minReplicas ?? Self.defaultMinReplicas }
    public var effectiveBrokerIdOffset: Int32 { brokerIdOffset ?? 0 }
    public var effectivePollingIntervalSeconds: Int32 { pollingIntervalSeconds ?? Self.defaultPollingIntervalSeconds }
    public var effectiveBehavior: ScalingBehavior { behavior ?? ScalingBehavior() }
    /// By default one scale-in per scale-down stabilization window.
    public var effectiveScaleInCooldownSeconds: Int32 {
        scaleInCooldownSeconds ?? Int32(effectiveBehavior.effectiveScaleDown.stabilizationWindowSeconds)
    }
    public var effectiveReassignment: ReassignmentSpec { reassignment ?? ReassignmentSpec() }
    public var effectivePartitionAwareness: PartitionAwareness { partitionAwareness ?? PartitionAwareness() }
    public var effectiveOwnership: PoolOwnership { ownership ?? PoolOwnership() }
}

/// The StatefulSet whose replicas Ebb sets.
public struct ScaleTargetReference: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String

    public init(apiVersion: String? = nil, kind: String? = nil, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }

    public var effectiveAPIVersion: String { apiVersion ?? "apps/v1" }
    public var effectiveKind: String { kind ?? "StatefulSet" }
}

/// How Ebb reaches the Kafka cluster.
public struct KafkaConnection: Sendable, Hashable, Codable {
    public var bootstrapServers: [String]
    public var clientId: String?
    public var requestTimeoutSeconds: Int32?
    public var tls: KafkaTLS?
    public var sasl: KafkaSASL?

    public init(
        bootstrapServers: [String], clientId: String? = nil, requestTimeoutSeconds: Int32? = nil,
        tls: KafkaTLS? = nil, sasl: KafkaSASL? = nil
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientId = clientId
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.tls = tls
        self.sasl = sasl
    }

    public var effectiveClientId: String { clientId ?? "ebb" }
    public var effectiveRequestTimeoutSeconds: Int32 { requestTimeoutSeconds ?? 30 }
    /// Whether the connection uses TLS.
    public var usesTLS: Bool { tls?.effectiveEnabled ?? false }

    /// The settings of this connection that give security away, each with what it gives away;
    /// empty for a safe connection. Every one is an explicit opt-out in the spec, and the
    /// operator shows each (a log line, a Warning Event, the `ConnectionSecure` condition).
    public var insecureSettings: [String] {
        var settings: [String] = []
        if let tls, tls.effectiveEnabled, !tls.effectiveVerify {
            settings.append("tls.insecureSkipVerify is true: the brokers' certificates are not verified, so anyone on the path can pose as them")
        }
        if let sasl, !usesTLS, sasl.allowWithoutTLS == true {
            settings.append(
                sasl.mechanism == .plain
                    ? "sasl.allowWithoutTLS is true: the PLAIN password goes over the network in the clear"
                    : "sasl.allowWithoutTLS is true: the \(sasl.mechanism.rawValue) exchange and the whole session go over the network in the clear")
        }
        return settings
    }
}

public struct KafkaTLS: Sendable, Hashable, Codable {
    public var enabled: Bool?
    public var caSecretRef: SecretKeyReference?
    public var clientCertificateSecretRef: SecretReference?
    public var serverName: String?
    public var insecureSkipVerify: Bool?

    public init(
        enabled: Bool? = nil, caSecretRef: SecretKeyReference? = nil,
        clientCertificateSecretRef: SecretReference? = nil, serverName: String? = nil, insecureSkipVerify: Bool? = nil
    ) {
        self.enabled = enabled
        self.caSecretRef = caSecretRef
        self.clientCertificateSecretRef = clientCertificateSecretRef
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }

    /// TLS is on when the `tls` block is present, unless `enabled: false`.
    public var effectiveEnabled: Bool { enabled ?? true }
    /// Certificate verification is on unless explicitly switched off.
    public var effectiveVerify: Bool { !(insecureSkipVerify ?? false) }
}

public struct KafkaSASL: Sendable, Hashable, Codable {
    public enum Mechanism: String, Sendable, Hashable, Codable, CaseIterable {
        case plain = "PLAIN"
        case scramSHA256 = "SCRAM-SHA-256"
        case scramSHA512 = "SCRAM-SHA-512"
    }

    public var mechanism: Mechanism
    public var credentialsSecretRef: CredentialsSecretReference
    /// SASL over a connection without TLS: refused unless this is true (then the pool shows
    /// `ConnectionSecure` False and a Warning Event).
    public var allowWithoutTLS: Bool?

    public init(mechanism: Mechanism, credentialsSecretRef: CredentialsSecretReference, allowWithoutTLS: Bool? = nil) {
        self.mechanism = mechanism
        self.credentialsSecretRef = credentialsSecretRef
        self.allowWithoutTLS = allowWithoutTLS
    }
}

/// A key of a Secret in the pool's namespace.
public struct SecretKeyReference: Sendable, Hashable, Codable {
    public var name: String
    public var key: String?

    public init(name: String, key: String? = nil) {
        self.name = name
        self.key = key
    }
}

/// A Secret in the pool's namespace, read whole (a `kubernetes.io/tls` Secret: `tls.crt`, `tls.key`).
public struct SecretReference: Sendable, Hashable, Codable {
    public var name: String
    public init(name: String) { self.name = name }
}

/// A Secret holding a username and a password.
public struct CredentialsSecretReference: Sendable, Hashable, Codable {
    public var name: String
    public var usernameKey: String?
    public var passwordKey: String?

    public init(name: String, usernameKey: String? = nil, passwordKey: String? = nil) {
        self.name = name
        self.usernameKey = usernameKey
        self.passwordKey = passwordKey
    }

    public var effectiveUsernameKey: String { usernameKey ?? "username" }
    public var effectivePasswordKey: String { passwordKey ?? "password" }
}

/// A replica floor for a time window known in advance (a sale, Black Friday).
public struct ScalingSchedule: Sendable, Hashable, Codable {
    public var name: String
    public var minReplicas: Int32
    public var timeZone: String?
    public var cron: String?
    public var duration: String?
    public var start: String?
    public var end: String?

    public init(
        name: String, minReplicas: Int32, timeZone: String? = nil, cron: String? = nil, duration: String? = nil,
        start: String? = nil, end: String? = nil
    ) {
        self.name = name
        self.minReplicas = minReplicas
        self.timeZone = timeZone
        self.cron = cron
        self.duration = duration
        self.start = start
        self.end = end
    }

    public var effectiveTimeZone: String { timeZone ?? "UTC" }
}

/// How partitions move when brokers are added or drained.
public struct ReassignmentSpec: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        /// Shared-storage Kafka (AutoMQ): a move is a metadata change.
        case metadataOnly = "MetadataOnly"
        /// Classic Kafka: a move copies the partition's log.
        case copy = "Copy"
    }

    public var mode: Mode?
    public var maxConcurrentMovesPerBroker: Int32?
    public var maxConcurrentMovesPerCluster: Int32?
    public var batchSize: Int32?
    public var rackAware: Bool?
    public var balanceTolerancePercent: Int32?
    public var allowLeadershipMoves: Bool?

    public init(
        mode: Mode? = nil, maxConcurrentMovesPerBroker: Int32? = nil, maxConcurrentMovesPerCluster: Int32? = nil,
        batchSize: Int32? = nil, rackAware: Bool? = nil, balanceTolerancePercent: Int32? = nil,
        allowLeadershipMoves: Bool? = nil
    ) {
        self.mode = mode
        self.maxConcurrentMovesPerBroker = maxConcurrentMovesPerBroker
        self.maxConcurrentMovesPerCluster = maxConcurrentMovesPerCluster
        self.batchSize = batchSize
        self.rackAware = rackAware
        self.balanceTolerancePercent = balanceTolerancePercent
        self.allowLeadershipMoves = allowLeadershipMoves
    }

    public var effectiveMode: Mode { mode ?? .metadataOnly }
    public var effectiveMaxConcurrentMovesPerBroker: Int32 { maxConcurrentMovesPerBroker ?? 10 }
    public var effectiveMaxConcurrentMovesPerCluster: Int32 { maxConcurrentMovesPerCluster ?? 100 }
    public var effectiveBatchSize: Int32 { batchSize ?? 50 }
    public var effectiveRackAware: Bool { rackAware ?? true }
    public var effectiveBalanceTolerancePercent: Int32 { balanceTolerancePercent ?? 5 }
    public var effectiveAllowLeadershipMoves: Bool { allowLeadershipMoves ?? true }
}

/// How the partition count bounds the broker count.
public struct PartitionAwareness: Sendable, Hashable, Codable {
    public var capAtPartitionCount: Bool?
    public var evenSpread: Bool?

    public init(capAtPartitionCount: Bool? = nil, evenSpread: Bool? = nil) {
        self.capAtPartitionCount = capAtPartitionCount
        self.evenSpread = evenSpread
    }

    public var effectiveCapAtPartitionCount: Bool { capAtPartitionCount ?? true }
    public var effectiveEvenSpread: Bool { evenSpread ?? false }
}

/// Replicas to hold when metrics cannot be read several times in a row.
public struct FallbackSpec: Sendable, Hashable, Codable {
    public var failureThreshold: Int32
    public var replicas: Int32

    public init(failureThreshold: Int32, replicas: Int32) {
        self.failureThreshold = failureThreshold
        self.replicas = replicas
    }
}
