import Foundation

/// A scaling decision and its whole explanation: what each metric proposed, what each stage
/// made of it, which rule limited it, and one line for people.
public struct Decision: Sendable, Hashable, Codable {
    public var time: Date
    public var currentReplicas: Int32
    /// The broker count to have, after every rule.
    public var desiredReplicas: Int32
    /// `up`, `down` or `none`.
    public var direction: Direction
    /// Whether the operator should act: false when nothing changes, or in dry-run.
    public var apply: Bool
    public var dryRun: Bool
    /// One entry per metric of the spec.
    public var proposals: [MetricProposal]
    /// The metric whose proposal won, if a metric decided.
    public var metric: String?
    /// The pipeline, stage by stage.
    public var stages: Stages
    /// The rule that held the decision away from what the metrics asked, if any.
    public var limitedBy: Limit?
    /// One line for people: "scale out 6→9: bytes-in 182 MiB/s per broker vs target 120 MiB/s; limited by policy Percent 50%/60s".
    public var reason: String
    /// The unstabilized recommendation to remember for later stabilization windows.
    public var recordedRecommendation: Int32?
    /// HPA-style conditions (AbleToScale, ScalingActive, ScalingLimited, MetricsAvailable).
    public var conditions: [DecisionCondition]
    /// Why no broker may be removed now (a metric or the Kafka cluster cannot be read); nil
    /// when Ebb can see. The one blind rule: the engine holds its count by it, and the scaling
    /// sequence keeps drained brokers by it.
    public var blindness: String?
    /// What the pool is asked to carry, when its metrics tell: served load, backlog growth,
    /// and the brokers that carry it at the target.
    public var demand: DemandEstimate?
    /// What `spec.predictive` forecasts for the lead time, and the floor it holds (or, in
    /// Recommend, would hold); nil without a forecast.
    public var forecast: DemandForecast?

    public enum Direction: String, Sendable, Hashable, Codable {
        case up
        case down
        case none
    }

    /// The replica count after each stage; nil where the stage did not run.
    public struct Stages: Sendable, Hashable, Codable {
        /// The largest metric proposal (or the external `spec.replicas`).
        public var proposed: Int32?
        /// After the partition count and even spread.
        public var afterPartitionAwareness: Int32?
        /// After the stabilization windows.
        public var afterStabilization: Int32?
        /// After the rate policies and the bounds (min, max, schedule floors).
        public var afterPolicies: Int32?
        /// After the operator's rules (pause, reassignment in progress, lag rising, fallback).
        public var final: Int32

        public init(
            proposed: Int32? = nil, afterPartitionAwareness: Int32? = nil, afterStabilization: Int32? = nil, afterPolicies: Int32? = nil, final: Int32
        ) {
            self.proposed = proposed
            self.afterPartitionAwareness = afterPartitionAwareness
            self.afterStabilization = afterStabilization
            self.afterPolicies = afterPolicies
            self.final = final
        }
    }

    /// A rule that limited the decision.
    public struct Limit: Sendable, Hashable, Codable, CustomStringConvertible {
        public var rule: Rule
        /// The detail: which policy, which schedule, which value.
        public var detail: String

        public enum Rule: String, Sendable, Hashable, Codable {
            case stabilizationWindow = "StabilizationWindow"
            case scaleUpPolicy = "ScaleUpLimit"
            case scaleDownPolicy = "ScaleDownLimit"
            case scalingDisabled = "ScalingDisabled"
            case maxReplicas = "TooManyReplicas"
            case minReplicas = "TooFewReplicas"
            case schedule = "Schedule"
            case forecast = "Forecast"
            case partitionCount = "PartitionCount"
            case evenSpread = "EvenSpread"
            case paused = "Paused"
            case pausedScaleIn = "PausedScaleIn"
            case pausedScaleOut = "PausedScaleOut"
            case reassignmentInProgress = "ReassignmentInProgress"
            case lagRising = "LagRising"
            case capacityOnTheWay = "CapacityOnTheWay"
            case scaleInCooldown = "ScaleInCooldown"
            case partialMetrics = "PartialMetrics"
            case blind = "NoMetrics"
            case fallback = "Fallback"
            case external = "ExternalReplicas"
        }

        public init(_ rule: Rule, _ detail: String) {
            self.rule = rule
            self.detail = detail
        }

        public var description: String { detail }
    }
}

/// What one metric proposed.
public struct MetricProposal: Sendable, Hashable, Codable {
    public var metric: String
    public var type: MetricSpec.MetricType
    public var available: Bool
    /// The value compared with the target, in the target's terms (per broker for throughput,
    /// per partition for lag AverageValue, percent for CPU).
    public var value: Double?
    public var target: Double?
    /// value / target, after HPA's handling of missing and unready brokers.
    public var usageRatio: Double?
    /// The broker count this metric alone asks for.
    public var proposedReplicas: Int32?
    /// The ratio was within the tolerance, so the metric asks for no change.
    public var withinTolerance: Bool?
    /// Why the metric is not available.
    public var error: String?

    public init(
        metric: String, type: MetricSpec.MetricType, available: Bool, value: Double? = nil, target: Double? = nil,
        usageRatio: Double? = nil, proposedReplicas: Int32? = nil, withinTolerance: Bool? = nil, error: String? = nil
    ) {
        self.metric = metric
        self.type = type
        self.available = available
        self.value = value
        self.target = target
        self.usageRatio = usageRatio
        self.proposedReplicas = proposedReplicas
        self.withinTolerance = withinTolerance
        self.error = error
    }
}

/// A condition the decision implies, in the terms of the HPA's and BrokerPool's conditions.
public struct DecisionCondition: Sendable, Hashable, Codable {
    public var type: PoolCondition.ConditionType
    public var status: PoolCondition.Status
    public var reason: String
    public var message: String

    public init(type: PoolCondition.ConditionType, status: PoolCondition.Status, reason: String, message: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}
