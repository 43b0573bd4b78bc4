import BrokerScaling
import Foundation
import KubernetesClient
import Logging
import NIOConcurrencyHelpers

/// Why a reconcile stopped before its end.
public enum ReconcileError: Error, Sendable, CustomStringConvertible {
    /// This process lost leadership: no more writes.
    case notLeader
    /// A step failed; `step` names it.
    case step(String, cause: String)

    public var description: String {
        switch self {
        case .notLeader: return "not the leader any more; stopped before writing"
        case let .step(step, cause): return "\(step): \(cause)"
        }
    }
}

/// One reconcile of one BrokerPool, level-based: read the StatefulSet, the Kafka cluster and
/// the metrics; decide; advance the scaling sequence; act; write the status. The same code runs
/// under `ebb run` and `ebb simulate`; only the ports differ.
public final class PoolReconciler: Sendable {
    public struct Options: Sendable {
        /// Decide and log, write nothing to the StatefulSet or Kafka (`--dry-run`).
        public var dryRun: Bool
        public init(dryRun: Bool = false) { self.dryRun = dryRun }
    }

    let workloads: any WorkloadPort
    let kafka: any KafkaPort
    let metricSource: any MetricsPort
    public let metrics: OperatorMetrics
    let logger: Logger
    let leadership: Leadership?
    let clock: @Sendable () -> Date
    let options: Options

    struct Memory: Sendable {
        var history = ScalingHistory()
        var lastDecision: String?
        var lastRecord: String?
        var movesInFlight = 0
    }

    private let memory = NIOLockedValueBox<[String: Memory]>([:])

    public init(
        workloads: any WorkloadPort, kafka: any KafkaPort, metricSource: any MetricsPort, metrics: OperatorMetrics = OperatorMetrics(),
        logger: Logger, leadership: Leadership? = nil, options: Options = Options(), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.workloads = workloads
        self.kafka = kafka
        self.metricSource = metricSource
        self.metrics = metrics
        self.logger = logger
        self.leadership = leadership
        self.options = options
        self.clock = clock
    }

    func mayWrite() throws(ReconcileError) {
        if let leadership, !leadership.isLeading { throw .notLeader }
    }

    /// Reconciles `pool`; returns the seconds until it should be looked at again.
    public func reconcile(_ pool: BrokerPool, reconcileId: String) async throws -> Double {
        let started = ContinuousClock.now
        let key = "\(pool.metadata.namespace ?? "")/\(pool.metadata.name ?? "")"
        var logger = logger
        logger[metadataKey: "pool"] = "\(key)"
        logger[metadataKey: "reconcile_id"] = "\(reconcileId)"
        defer {
            let elapsed = ContinuousClock.now - started
            metrics.reconcileDuration(pool: key, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let now = clock()
        var spec = pool.spec
        if options.dryRun { spec.dryRun = true }
        var status = pool.status ?? BrokerPoolStatus()
        let generation = pool.metadata.generation ?? 1

        // A spec the API server let through (no CEL before 1.25) but Ebb cannot follow: report
        // it and leave the pool as it is.
        let problems = BrokerPoolValidator.problems(in: spec)
        if !problems.isEmpty {
            let message = problems.map(\.description).joined(separator: "; ")
            let flipped = status.conditions?.first { $0.type == .specValid }?.status != .false
            status.setCondition(.specValid, .false, reason: "InvalidSpec", message: message, generation: generation, now: TimeFormat.format(now))
            status.observedGeneration = generation
            logger.warning("invalid spec; the pool is left as it is", metadata: ["problems": "\(message)"])
            try mayWrite()
            if flipped { await workloads.recordEvent(about: pool, type: "Warning", reason: "InvalidSpec", action: "Validate", note: String(message.prefix(1000))) }
            if status != pool.status { _ = try await workloads.writeStatus(of: pool, status) }
            return Double(spec.effectivePollingIntervalSeconds)
        }
        status.setCondition(.specValid, .true, reason: "Valid", message: "the spec is valid", generation: generation, now: TimeFormat.format(now))

        let workload: WorkloadState
        do {
            workload = try await workloads.workload(of: pool)
        } catch {
            metrics.error(kind: "kubernetes")
            throw ReconcileError.step("read StatefulSet \(spec.scaleTargetRef.name)", cause: "\(error)")
        }
        var cluster: ClusterSnapshot?
        var clusterError: String?
        do {
            cluster = try await kafka.snapshot(of: pool)
        } catch {
            clusterError = "\(error)"
            metrics.error(kind: "kafka")
            logger.warning("cannot read the Kafka cluster; holding", metadata: ["error": "\(error)"])
        }
        let observations = await metricSource.observe(pool, now: now, cluster: cluster)
        let remembered = memory.withLockedValue { $0[key] ?? Memory() }
        let failures: Int32 = observations.allSatisfy({ $0.error != nil }) && !observations.isEmpty ? (status.consecutiveMetricFailures ?? 0) + 1 : 0
        let input = DecisionInput(
            now: now, spec: spec, currentReplicas: workload.replicas, readyReplicas: workload.ready,
            partitionReplicas: cluster.map { Int32($0.partitions.reduce(0) { $0 + $1.replicas.count }) },
            metrics: observations, reassignmentInProgress: cluster.map { !$0.reassigning.isEmpty } ?? (status.reassignment != nil),
            consecutiveMetricFailures: status.consecutiveMetricFailures, history: remembered.history)
        // Blind (no cluster view): the decision is not allowed to shrink anything.
        var decision = DecisionEngine.decide(input)
        if cluster == nil, decision.desiredReplicas < workload.replicas {
            decision.desiredReplicas = workload.replicas
            decision.apply = false
            decision.reason = "holding: the Kafka cluster cannot be read, so no broker is removed"
        }
        status.consecutiveMetricFailures = failures
        let step = ScalingSequence.advance(
            PoolObservation(
                now: now, spec: spec, generation: generation, status: status, statefulSetReplicas: workload.replicas, statefulSetPods: workload.pods,
                statefulSetReady: workload.ready, cluster: cluster, clusterError: clusterError, decision: decision),
            constraints: PlanConstraints(spec.effectiveReassignment))
        var next = step.status
        next.selector = workload.selector
        next.currentMetrics = decision.proposals.map { proposal in
            MetricStatus(
                name: proposal.metric, type: proposal.type, current: proposal.value.map(Quantity.init(number:)), target: proposal.target.map(Quantity.init(number:)),
                proposedReplicas: proposal.proposedReplicas, available: proposal.available, message: proposal.error)
        }
        for condition in decision.conditions where condition.type != .ableToScale {
            next.setCondition(condition.type, condition.status, reason: condition.reason, message: condition.message, generation: generation, now: TimeFormat.format(now))
        }
        let scaling = step.actions.contains { if case .setReplicas = $0 { return true } else { return false } }
        let started_ = status.state != next.state && (next.state == .scalingOut || next.state == .draining)
        if decision.desiredReplicas != decision.currentReplicas || started_ {
            next.lastDecision = DecisionRecord(
                time: TimeFormat.format(now), fromReplicas: decision.currentReplicas, toReplicas: decision.desiredReplicas, reason: decision.reason,
                metric: decision.metric, limitedBy: decision.limitedBy?.rule.rawValue, dryRun: spec.dryRun == true ? true : nil)
        }

        logDecision(decision, spec: spec, state: next.state, key: key, logger: logger)
        metrics.decision(pool: key, direction: decision.direction.rawValue, reason: decision.limitedBy?.rule.rawValue ?? (decision.direction == .none ? "Stable" : "Metrics"))
        metrics.replicas(pool: key, desired: next.desiredReplicas ?? workload.replicas, current: workload.replicas, ready: workload.ready)
        metrics.state(pool: key, (next.state ?? .stable).rawValue)

        // Act, in order; each write checks leadership first.
        var inFlight = remembered.movesInFlight
        if let cluster, cluster.reassigning.isEmpty, inFlight > 0 {
            metrics.movesCompleted(pool: key, inFlight)
            inFlight = 0
        }
        for action in step.actions {
            switch action {
            case .setReplicas(let replicas):
                try mayWrite()
                do {
                    try await workloads.setReplicas(of: pool, to: replicas)
                } catch {
                    metrics.error(kind: "kubernetes")
                    throw ReconcileError.step("patch replicas of \(spec.scaleTargetRef.name) to \(replicas)", cause: "\(error)")
                }
                metrics.scaled(pool: key, direction: replicas > workload.replicas ? "out" : "in")
                logger.info("replicas patched", metadata: ["step": "replicas_patched", "from": "\(workload.replicas)", "to": "\(replicas)", "statefulset": "\(spec.scaleTargetRef.name)"])
            case let .submit(moves, batch):
                try mayWrite()
                let refused: [String]
                do {
                    refused = try await kafka.submit(moves, for: pool)
                } catch {
                    metrics.error(kind: "kafka")
                    throw ReconcileError.step("submit reassignment batch \(batch)", cause: "\(error)")
                }
                inFlight += moves.count - refused.count
                metrics.movesSubmitted(pool: key, moves.count - refused.count)
                logger.info("plan submitted", metadata: [
                    "step": "plan_submitted", "plan_id": "\(next.reassignment?.planId ?? "")", "batch": "\(batch)", "moves": "\(moves.count)",
                    "refused": .array(refused.map { .string($0) }), "state": "\((next.state ?? .stable).rawValue)",
                ])
            case .electLeaders(let partitions):
                try mayWrite()
                do {
                    try await kafka.electPreferredLeaders(partitions, for: pool)
                    logger.info("preferred leaders elected", metadata: ["step": "leaders_elected"])
                } catch {
                    // Leaders stay where they are; balance is worse, nothing is unsafe.
                    metrics.error(kind: "kafka")
                    logger.warning("preferred leader election failed", metadata: ["step": "leaders_elected", "error": "\(error)"])
                }
            case let .event(type, reason, note):
                try mayWrite()
                await workloads.recordEvent(about: pool, type: type, reason: reason, action: reason, note: note)
            }
        }
        if step.record != remembered.lastRecord || !step.actions.isEmpty {
            logger.info("step", metadata: ["step": "\(step.record)", "state": "\((next.state ?? .stable).rawValue)"])
        }
        let history = remembered.history.recording(decision, applied: scaling, spec: spec)
        memory.withLockedValue { memory in
            memory[key, default: Memory()].history = history
            memory[key, default: Memory()].lastRecord = step.record
            memory[key, default: Memory()].movesInFlight = inFlight
        }
        if next != pool.status {
            try mayWrite()
            do {
                _ = try await workloads.writeStatus(of: pool, next)
            } catch {
                metrics.error(kind: "kubernetes")
                throw ReconcileError.step("write status", cause: "\(error)")
            }
        }
        return step.requeueAfter
    }

    /// One JSON line per decision that changes something, or differs from the last one logged.
    func logDecision(_ decision: Decision, spec: BrokerPoolSpec, state: PoolState?, key: String, logger: Logger) {
        let signature = "\(decision.currentReplicas)>\(decision.desiredReplicas)|\(decision.metric ?? "")|\(decision.limitedBy?.rule.rawValue ?? "")"
        let previous = memory.withLockedValue { memory -> String? in
            defer { memory[key, default: Memory()].lastDecision = signature }
            return memory[key]?.lastDecision
        }
        guard previous != signature || decision.desiredReplicas != decision.currentReplicas else { return }
        let metricRecords: [Logger.Metadata.Value] = decision.proposals.map { proposal in
            var fields: Logger.Metadata = ["name": "\(proposal.metric)", "type": "\(proposal.type.rawValue)", "available": "\(proposal.available)"]
            if let value = proposal.value { fields["value"] = .stringConvertible(value) }
            if let target = proposal.target { fields["target"] = .stringConvertible(target) }
            if let replicas = proposal.proposedReplicas { fields["proposed_replicas"] = .stringConvertible(Int(replicas)) }
            if let error = proposal.error { fields["error"] = "\(error)" }
            return .dictionary(fields)
        }
        var metadata: Logger.Metadata = [
            "decision": "scale", "from": .stringConvertible(Int(decision.currentReplicas)), "to": .stringConvertible(Int(decision.desiredReplicas)),
            "direction": "\(decision.direction.rawValue)", "reason": "\(decision.reason)", "dry_run": .stringConvertible(spec.dryRun == true),
            "applied": .stringConvertible(decision.apply), "metrics": .array(metricRecords), "state": "\((state ?? .stable).rawValue)",
        ]
        if let metric = decision.metric { metadata["metric"] = "\(metric)" }
        if let limit = decision.limitedBy {
            metadata["limited_by"] = "\(limit.rule.rawValue)"
            metadata["limit_detail"] = "\(limit.detail)"
        }
        logger.info("decision", metadata: metadata)
    }
}
