/// What Ebb observed and did. Written only through the status subresource. It carries the
/// reassignment in progress so that a restarted operator, or a new leader, resumes from it.
public struct BrokerPoolStatus: Sendable, Hashable, Codable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var readyReplicas: Int32?
    public var desiredReplicas: Int32?
    public var selector: String?
    public var state: PoolState?
    public var conditions: [PoolCondition]?
    public var currentMetrics: [MetricStatus]?
    public var lastDecision: DecisionRecord?
    public var lastScaleTime: String?
    public var consecutiveMetricFailures: Int32?
    public var reassignment: ReassignmentStatus?
    /// What spec.predictive forecasts: the floor it holds (On) or would hold (Recommend).
    public var forecast: ForecastStatus?

    public init(
        observedGeneration: Int64? = nil, replicas: Int32? = nil, readyReplicas: Int32? = nil,
        desiredReplicas: Int32? = nil, selector: String? = nil, state: PoolState? = nil,
        conditions: [PoolCondition]? = nil, currentMetrics: [MetricStatus]? = nil,
        lastDecision: DecisionRecord? = nil, lastScaleTime: String? = nil,
        consecutiveMetricFailures: Int32? = nil, reassignment: ReassignmentStatus? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.desiredReplicas = desiredReplicas
        self.selector = selector
        self.state = state
        self.conditions = conditions
        self.currentMetrics = currentMetrics
        self.lastDecision = lastDecision
        self.lastScaleTime = lastScaleTime
        self.consecutiveMetricFailures = consecutiveMetricFailures
        self.reassignment = reassignment
    }
}

/// Where the pool is in the scaling sequence (scale out, then rebalance; drain, then scale in).
public enum PoolState: String, Sendable, Hashable, Codable, CaseIterable {
    case stable = "Stable"
    case scalingOut = "ScalingOut"
    case rebalancing = "Rebalancing"
    case draining = "Draining"
    case scalingIn = "ScalingIn"
    case paused = "Paused"
    case blocked = "Blocked"
}

/// A Kubernetes-style condition (`metav1.Condition`).
public struct PoolCondition: Sendable, Hashable, Codable {
    public enum ConditionType: String, Sendable, Hashable, Codable, CaseIterable {
        case ready = "Ready"
        case ableToScale = "AbleToScale"
        case scalingActive = "ScalingActive"
        case scalingLimited = "ScalingLimited"
        case metricsAvailable = "MetricsAvailable"
        case rebalancing = "Rebalancing"
        case specValid = "SpecValid"
        /// False while the spec opts out of TLS verification or sends SASL without TLS.
        case connectionSecure = "ConnectionSecure"
    }

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }

    public var type: ConditionType
    public var status: Status
    public var observedGeneration: Int64?
    public var lastTransitionTime: String
    public var reason: String
    public var message: String

    public init(
        type: ConditionType, status: Status, observedGeneration: Int64? = nil, lastTransitionTime: String,
        reason: String, message: String
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// The last reading of one metric, as the decision used it.
public struct MetricStatus: Sendable, Hashable, Codable {
    public var name: String
    public var type: MetricSpec.MetricType
    public var current: Quantity?
    public var target: Quantity?
    public var proposedReplicas: Int32?
    public var available: Bool
    public var message: String?

    public init(
        name: String, type: MetricSpec.MetricType, current: Quantity? = nil, target: Quantity? = nil,
        proposedReplicas: Int32? = nil, available: Bool, message: String? = nil
    ) {
        self.name = name
        self.type = type
        self.current = current
        self.target = target
        self.proposedReplicas = proposedReplicas
        self.available = available
        self.message = message
    }
}

/// The last scaling decision, in brief; the decision log has the whole explanation.
public struct DecisionRecord: Sendable, Hashable, Codable {
    public var time: String
    public var fromReplicas: Int32
    public var toReplicas: Int32
    public var reason: String
    public var metric: String?
    public var limitedBy: String?
    public var dryRun: Bool?

    public init(
        time: String, fromReplicas: Int32, toReplicas: Int32, reason: String, metric: String? = nil,
        limitedBy: String? = nil, dryRun: Bool? = nil
    ) {
        self.time = time
        self.fromReplicas = fromReplicas
        self.toReplicas = toReplicas
        self.reason = reason
        self.metric = metric
        self.limitedBy = limitedBy
        self.dryRun = dryRun
    }
}

/// The forecast's floor, as the status shows it. The forecast's bytes change every minute and
/// are in the decision log; the status changes only when the floor or its basis does.
public struct ForecastStatus: Sendable, Hashable, Codable {
    public var mode: PredictiveScaling.Mode
    /// Brokers the forecast needs within the lead time.
    public var floor: Int32
    /// Whether the floor applies (On) or is only reported (Recommend).
    public var applied: Bool
    public var message: String

    public init(mode: PredictiveScaling.Mode, floor: Int32, applied: Bool, message: String) {
        self.mode = mode
        self.floor = floor
        self.applied = applied
        self.message = message
    }

    public init(_ forecast: DemandForecast) {
        let basis =
            forecast.model == "weekly"
            ? "the same weekday's median over \(forecast.daysUsed) weeks"
            : forecast.daysUsed == 1 ? "one earlier day" : "the median of \(forecast.daysUsed) days"
        self.init(
            mode: forecast.applied ? .on : .recommend, floor: forecast.floor, applied: forecast.applied,
            message:
                "\(forecast.applied ? "holds" : "would hold") at least \(forecast.floor) brokers: \(basis) at this time of day, \(forecast.leadTimeSeconds) s ahead"
        )
    }
}

/// The reassignment in progress: enough to resume it after a crash.
public struct ReassignmentStatus: Sendable, Hashable, Codable {
    public var planId: String
    public var targetReplicas: Int32
    public var movesDone: Int32
    public var movesTotal: Int32
    public var batchesDone: Int32?
    public var batchesTotal: Int32?
    public var drainingBrokers: [Int32]?
    public var startedAt: String

    public init(
        planId: String, targetReplicas: Int32, movesDone: Int32, movesTotal: Int32, batchesDone: Int32? = nil,
        batchesTotal: Int32? = nil, drainingBrokers: [Int32]? = nil, startedAt: String
    ) {
        self.planId = planId
        self.targetReplicas = targetReplicas
        self.movesDone = movesDone
        self.movesTotal = movesTotal
        self.batchesDone = batchesDone
        self.batchesTotal = batchesTotal
        self.drainingBrokers = drainingBrokers
        self.startedAt = startedAt
    }
}

extension BrokerPoolStatus {
    /// Sets condition `type` (Kubernetes conventions: `lastTransitionTime` moves only when the
    /// status changes; reason, message and observedGeneration always follow).
    public mutating func setCondition(
        _ type: PoolCondition.ConditionType, _ value: PoolCondition.Status, reason: String, message: String, generation: Int64, now: String
    ) {
        var list = conditions ?? []
        if let index = list.firstIndex(where: { $0.type == type }) {
            if list[index].status != value { list[index].lastTransitionTime = now }
            list[index].status = value
            list[index].reason = reason
            list[index].message = message
            list[index].observedGeneration = generation
        } else {
            list.append(
                PoolCondition(type: type, status: value, observedGeneration: generation, lastTransitionTime: now, reason: reason, message: message))
        }
        conditions = list
    }
}
