/// The cross-field rules of a BrokerPool: emitted into the CRD as CEL `x-kubernetes-validations`
/// and checked by `BrokerPoolValidator` with the same message, so that a cluster without CEL
/// (Kubernetes before 1.25), `ebb validate` and the operator all say the same thing.
public enum PoolRule: String, Sendable, CaseIterable {
    case minReplicasNotAboveMax
    case fallbackWithinMax
    case scheduleFloorWithinMax
    case scheduleWindowForm
    case metricMemberMatchesType
    case throughputTargetIsAverageValue
    case cpuTargetIsUtilization
    case lagTargetNotUtilization
    case prometheusTargetNotUtilization
    case targetMemberMatchesType
    case moveLimitsOrdered

    /// The CEL expression, with `self` the object the rule is attached to.
    public var cel: String {
        switch self {
        case .minReplicasNotAboveMax:
            return "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas"
        case .fallbackWithinMax:
            return "!has(self.fallback) || self.fallback.replicas <= self.maxReplicas"
        case .scheduleFloorWithinMax:
            return "!has(self.schedules) || self.schedules.all(s, s.minReplicas <= self.maxReplicas)"
        case .scheduleWindowForm:
            return "(has(self.cron) && has(self.duration) && !has(self.start) && !has(self.end)) || "
                + "(has(self.start) && has(self.end) && !has(self.cron) && !has(self.duration))"
        case .metricMemberMatchesType:
            return "(self.type == 'BrokerThroughput') == has(self.brokerThroughput) && "
                + "(self.type == 'ConsumerLag') == has(self.consumerLag) && "
                + "(self.type == 'Prometheus') == has(self.prometheus) && (self.type == 'CPU') == has(self.cpu)"
        case .throughputTargetIsAverageValue:
            return "self.target.type == 'AverageValue'"
        case .cpuTargetIsUtilization:
            return "self.target.type == 'Utilization'"
        case .lagTargetNotUtilization, .prometheusTargetNotUtilization:
            return "self.target.type != 'Utilization'"
        case .targetMemberMatchesType:
            return "(self.type == 'Value') == has(self.value) && (self.type == 'AverageValue') == has(self.averageValue) && "
                + "(self.type == 'Utilization') == has(self.averageUtilization)"
        case .moveLimitsOrdered:
            return "!has(self.maxConcurrentMovesPerBroker) || !has(self.maxConcurrentMovesPerCluster) || "
                + "self.maxConcurrentMovesPerBroker <= self.maxConcurrentMovesPerCluster"
        }
    }

    /// What is wrong and how to fix it.
    public var message: String {
        switch self {
        case .minReplicasNotAboveMax:
            return "minReplicas must not exceed maxReplicas; lower minReplicas or raise maxReplicas"
        case .fallbackWithinMax:
            return "fallback.replicas must not exceed maxReplicas; lower it or raise maxReplicas"
        case .scheduleFloorWithinMax:
            return "a schedule's minReplicas must not exceed maxReplicas; lower it or raise maxReplicas"
        case .scheduleWindowForm:
            return "give either cron and duration (a repeating window) or start and end (a one-off window), not both"
        case .metricMemberMatchesType:
            return
                "set exactly the member that type names: brokerThroughput for BrokerThroughput, consumerLag for ConsumerLag, prometheus for Prometheus, cpu for CPU"
        case .throughputTargetIsAverageValue:
            return "target.type must be AverageValue: bytes per second per broker, such as averageValue: 120Mi"
        case .cpuTargetIsUtilization:
            return "target.type must be Utilization: a percentage of the CPU request, such as averageUtilization: 70"
        case .lagTargetNotUtilization:
            return "target.type must be Value (total lag in messages) or AverageValue (lag per partition)"
        case .prometheusTargetNotUtilization:
            return "target.type must be Value (the query's value) or AverageValue (the query's value per broker)"
        case .targetMemberMatchesType:
            return "set exactly the field that type names: value for Value, averageValue for AverageValue, averageUtilization for Utilization"
        case .moveLimitsOrdered:
            return "maxConcurrentMovesPerBroker must not exceed maxConcurrentMovesPerCluster"
        }
    }
}
