import Foundation
import KubernetesTypes

/// What one reconcile read about a pool: the spec it follows, the status as stored, the
/// StatefulSet, the Kafka cluster (or why it could not be read), the metric readings, and what
/// the operator remembers of the pool's recent decisions. Time is an input.
public struct ReconcileReading: Sendable {
    public var now: Date
    public var spec: BrokerPoolSpec
    public var generation: Int64
    /// The status as stored, with this reconcile's spec checks already set on it.
    public var status: BrokerPoolStatus
    public var statefulSetReplicas: Int32
    public var statefulSetPods: Int32
    public var statefulSetReady: Int32
    public var selector: String?
    public var pods: [BrokerPod]?
    public var cluster: ClusterSnapshot?
    public var clusterError: String?
    public var metrics: [MetricObservation]
    public var history: ScalingHistory
    /// The throughput history for `spec.predictive`'s forecast, when it was read.
    public var throughputHistory: [MetricSample]?

    public init(
        now: Date, spec: BrokerPoolSpec, generation: Int64, status: BrokerPoolStatus, statefulSetReplicas: Int32, statefulSetPods: Int32,
        statefulSetReady: Int32, selector: String? = nil, pods: [BrokerPod]? = nil, cluster: ClusterSnapshot?, clusterError: String? = nil,
        metrics: [MetricObservation], history: ScalingHistory, throughputHistory: [MetricSample]? = nil
    ) {
        self.throughputHistory = throughputHistory
        self.now = now
        self.spec = spec
        self.generation = generation
        self.status = status
        self.statefulSetReplicas = statefulSetReplicas
        self.statefulSetPods = statefulSetPods
        self.statefulSetReady = statefulSetReady
        self.selector = selector
        self.pods = pods
        self.cluster = cluster
        self.clusterError = clusterError
        self.metrics = metrics
        self.history = history
    }
}

/// What one reconcile is to do: the decision, the status to write, the actions in order, and
/// the history to remember once the actions are done.
public struct ReconcilePlan: Sendable {
    public var decision: Decision
    /// The scaling sequence's step; its status is `status` before the decision's parts were added.
    public var step: SequenceStep
    /// The status to write (the sequence's, with the decision's metrics, conditions and record).
    public var status: BrokerPoolStatus
    /// The step patches the StatefulSet's replicas.
    public var scales: Bool
    /// The history after this decision, to keep once the actions succeeded.
    public var history: ScalingHistory
    public var actions: [SequenceAction] { step.actions }
}

extension ReconcilePlan {
    /// Turns what a reconcile read into what it does, without I/O: decide, advance the scaling
    /// sequence, and build the status (metrics, conditions, the decision record).
    public static func make(_ reading: ReconcileReading, constraints: PlanConstraints? = nil) -> ReconcilePlan {
        let spec = reading.spec
        let now = reading.now
        var status = reading.status
        let observations = reading.metrics
        let failures: Int32 = observations.allSatisfy({ $0.error != nil }) && !observations.isEmpty ? (status.consecutiveMetricFailures ?? 0) + 1 : 0
        let cluster = reading.cluster
        let input = DecisionInput(
            now: now, spec: spec, currentReplicas: reading.statefulSetReplicas, readyReplicas: reading.statefulSetReady,
            partitionReplicas: cluster.map { Int32($0.partitions.reduce(0) { $0 + $1.replicas.count }) },
            metrics: observations, reassignmentInProgress: cluster.map { !$0.reassigning.isEmpty } ?? (status.reassignment != nil),
            consecutiveMetricFailures: status.consecutiveMetricFailures, history: reading.history,
            kafkaUnreadable: cluster == nil ? (reading.clusterError ?? "unknown error") : nil, throughputHistory: reading.throughputHistory)
        let decision = DecisionEngine.decide(input)
        status.consecutiveMetricFailures = failures
        let observation = PoolObservation(
            now: now, spec: spec, generation: reading.generation, status: status, statefulSetReplicas: reading.statefulSetReplicas,
            statefulSetPods: reading.statefulSetPods, statefulSetReady: reading.statefulSetReady, pods: reading.pods, cluster: cluster,
            clusterError: reading.clusterError, decision: decision)
        let step = ScalingSequence.reportingBlindness(
            ScalingSequence.advance(observation, constraints: constraints ?? PlanConstraints(spec.effectiveReassignment)), of: observation)
        var next = step.status
        let stamp = TimeFormat.format(now)
        next.selector = reading.selector
        next.currentMetrics = decision.proposals.map { proposal in
            MetricStatus(
                name: proposal.metric, type: proposal.type, current: proposal.value.map(Quantity.init(number:)),
                target: proposal.target.map(Quantity.init(number:)),
                proposedReplicas: proposal.proposedReplicas, available: proposal.available, message: proposal.error)
        }
        for condition in decision.conditions where condition.type != .ableToScale {
            next.setCondition(
                condition.type, condition.status, reason: condition.reason, message: condition.message, generation: reading.generation, now: stamp)
        }
        next.forecast = decision.forecast.map(ForecastStatus.init)
        let scales = step.actions.contains { if case .setReplicas = $0 { return true } else { return false } }
        let sequenceStarted = status.state != next.state && (next.state == .scalingOut || next.state == .draining)
        if decision.desiredReplicas != decision.currentReplicas || sequenceStarted {
            let record = DecisionRecord(
                time: stamp, fromReplicas: decision.currentReplicas, toReplicas: decision.desiredReplicas, reason: decision.reason,
                metric: decision.metric, limitedBy: decision.limitedBy?.rule.rawValue, dryRun: spec.dryRun == true ? true : nil)
            // The same decision as the last one recorded (a dry run, a pool holding) keeps the
            // time it was first made: a new time alone is nothing a user would notice, and
            // would be a status write on every reconcile.
            next.lastDecision = status.lastDecision.map { sameDecision($0, record) } == true ? status.lastDecision : record
        }
        return ReconcilePlan(
            decision: decision, step: step, status: next, scales: scales,
            history: reading.history.recording(decision, applied: scales, spec: spec))
    }

    /// Two decision records that differ at most in their time.
    public static func sameDecision(_ a: DecisionRecord, _ b: DecisionRecord) -> Bool {
        var b = b
        b.time = a.time
        return a == b
    }
}
