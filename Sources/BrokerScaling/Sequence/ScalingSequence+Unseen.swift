import Foundation
import KubernetesTypes

/// What a pool looks like when Ebb cannot see what it scales: the StatefulSet is missing, or
/// the Kafka cluster cannot be read. Nothing is changed on missing information, but a user
/// must see it in `kubectl get bp` (STATE), in the AbleToScale condition, and in one Warning
/// Event when it starts (not one per reconcile). An idle pool shows `Blocked`; a pool in the
/// middle of a sequence keeps its state, so that it resumes where it stopped.
extension ScalingSequence {
    /// The step when the scale target `namespace/name` does not exist.
    public static func targetNotFound(
        status: BrokerPoolStatus, spec: BrokerPoolSpec, generation: Int64, now: Date, namespace: String, name: String
    ) -> SequenceStep {
        let message = "StatefulSet \(namespace)/\(name) (spec.scaleTargetRef.name) not found: nothing can be scaled until it exists"
        return targetUnusable(
            status: status, spec: spec, generation: generation, now: now, reason: "TargetNotFound", message: message,
            record: "blocked: StatefulSet \(namespace)/\(name) not found")
    }

    /// The scale target exists but does not name the pool in its `ebb.io/pools` annotation: it
    /// is left alone (never scaled, its pods not listed), the pool is `Blocked` with
    /// `AbleToScale` False `TargetNotOptedIn`, and one Warning Event says so when it starts.
    public static func targetNotOptedIn(
        status: BrokerPoolStatus, spec: BrokerPoolSpec, generation: Int64, now: Date, namespace: String, name: String, pool: String
    ) -> SequenceStep {
        let message = PoolOptIn.refusal(kind: "StatefulSet", resource: "statefulset", namespace: namespace, name: name, pool: pool, use: "scale it")
        return targetUnusable(
            status: status, spec: spec, generation: generation, now: now, reason: "TargetNotOptedIn", message: message,
            record: "blocked: StatefulSet \(namespace)/\(name) does not opt in")
    }

    static func targetUnusable(
        status: BrokerPoolStatus, spec: BrokerPoolSpec, generation: Int64, now: Date, reason: String, message: String, record: String
    ) -> SequenceStep {
        var next = status
        next.observedGeneration = generation
        let warning = warn(.ableToScale, reason: reason, message: message, on: &next, before: status, generation: generation, now: now)
        next.state = unseenState(next.state)
        if let external = spec.replicas { next.desiredReplicas = ReplicaBounds(spec: spec, now: now).clamp(external).replicas }
        return SequenceStep(status: next, actions: warning, record: record, requeueAfter: .seconds(spec.effectivePollingIntervalSeconds))
    }

    /// Sets condition `type` False for `reason` on `status`, and returns the Warning Event to
    /// record when the condition starts: when `before` (the status as stored) did not already
    /// show that reason. One Warning per episode, not one per reconcile; the condition keeps
    /// saying why meanwhile.
    static func warn(
        _ type: PoolCondition.ConditionType, reason: String, message: String, on status: inout BrokerPoolStatus, before: BrokerPoolStatus?,
        generation: Int64, now: Date
    ) -> [SequenceAction] {
        let starts = before?.conditions?.first { $0.type == type }?.reason != reason
        status.setCondition(type, .false, reason: reason, message: message, generation: generation, now: TimeFormat.format(now))
        return starts ? [.event(type: "Warning", reason: reason, note: String(message.prefix(1000)))] : []
    }

    /// `step` (from `advance`) as a user must see it when the Kafka cluster could not be read:
    /// `Blocked` when idle, a Warning Event when the blindness starts, and a condition that
    /// says whether the pool sits below `minReplicas` meanwhile (it is not scaled either way).
    public static func reportingBlindness(_ step: SequenceStep, of observation: PoolObservation) -> SequenceStep {
        guard observation.cluster == nil else { return step }
        var step = step
        let spec = observation.spec
        let floor = spec.effectiveMinReplicas
        var message =
            "cannot read the Kafka cluster: \(observation.clusterError ?? "unknown error"); holding at \(observation.statefulSetReplicas) brokers"
        if observation.statefulSetReplicas < floor {
            message += ", below minReplicas \(floor): brokers are added once Kafka can be read"
        }
        step.actions += warn(
            .ableToScale, reason: "KafkaUnavailable", message: message, on: &step.status, before: observation.status,
            generation: observation.generation, now: observation.now)
        step.status.state = unseenState(step.status.state)
        return step
    }

    /// Idle (or never set): Blocked. In a sequence: unchanged.
    static func unseenState(_ state: PoolState?) -> PoolState? {
        switch state {
        case nil, .stable, .blocked: return .blocked
        case let other: return other
        }
    }
}
