import Foundation

/// Everything the decision engine looks at: the pool's spec, the cluster now, the metric
/// readings, and the recent history that stabilization windows and policies need. Time is an
/// input (`now`); the engine reads no clock.
public struct DecisionInput: Sendable, Hashable, Codable {
    public var now: Date
    public var spec: BrokerPoolSpec
    /// Brokers the StatefulSet has (its replicas).
    public var currentReplicas: Int32
    /// Brokers whose pods are ready; defaults to `currentReplicas`.
    public var readyReplicas: Int32?
    /// Partition replicas in the cluster (sum of replication factors); bounds the useful broker count.
    public var partitionReplicas: Int32?
    /// One reading per metric of `spec.metrics`, matched by name.
    public var metrics: [MetricObservation]
    /// A partition reassignment is running; scale-in waits for it.
    public var reassignmentInProgress: Bool?
    /// Metric reads failed in a row before this one (for `spec.fallback`).
    public var consecutiveMetricFailures: Int32?
    public var history: ScalingHistory?
    /// Why the Kafka cluster could not be read this time, when it could not: no broker is
    /// removed while Ebb is blind.
    public var kafkaUnreadable: String?
    /// The BrokerThroughput In metric's total over the last `spec.predictive.historyDays`
    /// (oldest first, e.g. one reading a minute), for the forecast; nil without `spec.predictive`.
    public var throughputHistory: [MetricSample]?

    public init(
        now: Date, spec: BrokerPoolSpec, currentReplicas: Int32, readyReplicas: Int32? = nil,
        partitionReplicas: Int32? = nil, metrics: [MetricObservation] = [], reassignmentInProgress: Bool? = nil,
        consecutiveMetricFailures: Int32? = nil, history: ScalingHistory? = nil, kafkaUnreadable: String? = nil,
        throughputHistory: [MetricSample]? = nil
    ) {
        self.kafkaUnreadable = kafkaUnreadable
        self.throughputHistory = throughputHistory
        self.now = now
        self.spec = spec
        self.currentReplicas = currentReplicas
        self.readyReplicas = readyReplicas
        self.partitionReplicas = partitionReplicas
        self.metrics = metrics
        self.reassignmentInProgress = reassignmentInProgress
        self.consecutiveMetricFailures = consecutiveMetricFailures
        self.history = history
    }
}

/// What was read for one metric.
public struct MetricObservation: Sendable, Hashable, Codable {
    /// The metric's `displayName` (its `name`, or the one derived from its type).
    public var name: String
    /// Readings, oldest first; the newest decides, the older ones show a trend (lag rising).
    /// The value is the metric's natural total: bytes per second through all brokers, total lag in
    /// messages, the query's value. Unused for CPU, which reads `pods`.
    public var samples: [MetricSample]?
    /// Brokers whose throughput is in the total; the others are missing (HPA's missing pods).
    /// Defaults to every broker.
    public var reportingBrokers: Int32?
    /// Partitions the lag is spread over, for lag targets of type AverageValue.
    public var partitions: Int32?
    /// CPU: one reading per broker pod.
    public var pods: [PodReading]?
    /// Why the metric could not be read, when it could not.
    public var error: String?
    /// BrokerThroughput In with `offeredQuery`: bytes per second the producers tried to send,
    /// when that query could be read.
    public var offered: MetricSample?
    /// Earlier answers of `offeredQuery`, oldest first: their trend carries `offered` forward
    /// by `offeredReadingAgeSeconds` while the producers' rate rises.
    public var offeredEarlier: [MetricSample]?
    /// Why `offeredQuery` could not be read; the metric then stands on the brokers' bytes in.
    public var offeredError: String?

    public init(
        name: String, samples: [MetricSample]? = nil, reportingBrokers: Int32? = nil, partitions: Int32? = nil,
        pods: [PodReading]? = nil, error: String? = nil
    ) {
        self.name = name
        self.samples = samples
        self.reportingBrokers = reportingBrokers
        self.partitions = partitions
        self.pods = pods
        self.error = error
    }

    public static func value(_ name: String, _ value: Double, at time: Date, partitions: Int32? = nil) -> MetricObservation {
        MetricObservation(name: name, samples: [MetricSample(time: time, value: value)], partitions: partitions)
    }

    public static func failed(_ name: String, _ error: String) -> MetricObservation {
        MetricObservation(name: name, error: error)
    }
}

public struct MetricSample: Sendable, Hashable, Codable {
    public var time: Date
    public var value: Double

    public init(time: Date, value: Double) {
        self.time = time
        self.value = value
    }
}

/// CPU of one broker pod, as a percentage of its request; nil when its metrics are missing.
public struct PodReading: Sendable, Hashable, Codable {
    public var utilization: Double?
    public var ready: Bool

    public init(utilization: Double?, ready: Bool = true) {
        self.utilization = utilization
        self.ready = ready
    }
}

/// The memory stabilization and rate policies need: past recommendations and scale events.
/// The operator keeps it and records into it what each decision asks.
public struct ScalingHistory: Sendable, Hashable, Codable {
    public var recommendations: [Recommendation]
    public var scaleEvents: [ScaleEvent]

    public struct Recommendation: Sendable, Hashable, Codable {
        public var time: Date
        public var replicas: Int32
        public init(time: Date, replicas: Int32) {
            self.time = time
            self.replicas = replicas
        }
    }

    public struct ScaleEvent: Sendable, Hashable, Codable {
        public var time: Date
        public var from: Int32
        public var to: Int32
        public init(time: Date, from: Int32, to: Int32) {
            self.time = time
            self.from = from
            self.to = to
        }
    }

    public init(recommendations: [Recommendation] = [], scaleEvents: [ScaleEvent] = []) {
        self.recommendations = recommendations
        self.scaleEvents = scaleEvents
    }

    /// The history after a decision: its recommendation recorded, its change (if applied)
    /// recorded as a scale event, and entries older than any window or period forgotten.
    public func recording(_ decision: Decision, applied: Bool, behavior: ScalingBehavior) -> ScalingHistory {
        recording(decision, applied: applied, behavior: behavior, keepingScaleEventsFor: 0)
    }

    /// The same, for a pool: scale events are also kept for its scale-in cooldown.
    public func recording(_ decision: Decision, applied: Bool, spec: BrokerPoolSpec) -> ScalingHistory {
        recording(decision, applied: applied, behavior: spec.effectiveBehavior, keepingScaleEventsFor: Int(spec.effectiveScaleInCooldownSeconds))
    }

    func recording(_ decision: Decision, applied: Bool, behavior: ScalingBehavior, keepingScaleEventsFor cooldown: Int) -> ScalingHistory {
        var next = self
        if let recommendation = decision.recordedRecommendation {
            next.recommendations.append(Recommendation(time: decision.time, replicas: recommendation))
        }
        if applied, decision.desiredReplicas != decision.currentReplicas {
            next.scaleEvents.append(ScaleEvent(time: decision.time, from: decision.currentReplicas, to: decision.desiredReplicas))
        }
        let up = behavior.effectiveScaleUp
        let down = behavior.effectiveScaleDown
        let longestWindow = max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds)
        let longestPeriod = max(cooldown, (up.policies + down.policies).map { Int($0.periodSeconds) }.max() ?? 0)
        let recommendationCutoff = decision.time.addingTimeInterval(-Double(longestWindow))
        let eventCutoff = decision.time.addingTimeInterval(-Double(longestPeriod))
        next.recommendations.removeAll { $0.time <= recommendationCutoff && $0.time != decision.time }
        next.scaleEvents.removeAll { $0.time <= eventCutoff }
        return next
    }
}
