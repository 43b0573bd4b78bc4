import BrokerScaling
import Foundation
import KubernetesClient
import KubernetesTypes
import Logging
import NIOConcurrencyHelpers
import Resilience

/// Why a reconcile stopped before its end.
public enum ReconcileError: Error, Sendable, CustomStringConvertible {
    /// This process lost leadership: no more writes.
    case notLeader
    /// A step failed; `step` names it.
    case step(String, cause: String)
    /// The status write was refused with 409: the pool changed after it was read (another
    /// writer, or a cache behind a write made elsewhere). It comes before any action, so
    /// nothing was done: look again, from the newer pool.
    case conflict(String)

    public var description: String {
        switch self {
        case .notLeader: return "not the leader any more; stopped before writing"
        case let .step(step, cause): return "\(step): \(cause)"
        case .conflict(let cause): return "write status: the pool changed since it was read; nothing was done: \(cause)"
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
        /// Our last writes, until the cache shows them.
        var expected: WriteExpectations?
        /// The pool this was kept for (`metadata.uid`): a pool deleted and created again under
        /// the same name, before a worker saw it gone, is another pool.
        var uid: String?
    }

    private let memory = NIOLockedValueBox<[ObjectKey: Memory]>([:])

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

    /// The pool is gone: drop what was remembered for it, its gauges, its metric readings, and
    /// close its Kafka connections. A pool created again under the same name starts afresh.
    public func forget(_ key: ObjectKey, because why: String = "pool gone") async {
        memory.withLockedValue { _ = $0.removeValue(forKey: key) }
        metrics.forget(pool: key.description)
        await metricSource.forget(key)
        await kafka.disconnect(key)
        logger.info("\(why); forgot what was kept for it", metadata: ["pool": "\(key)"])
    }

    /// The pools something is remembered for: a new leader forgets those that went while it
    /// was not leading.
    public var rememberedPools: [ObjectKey] { memory.withLockedValue { Array($0.keys) } }

    /// Reconciles `pool`; returns how soon it should be looked at again. Read → plan
    /// (pure, `ReconcilePlan`) → write the status (the claim to act) → act.
    public func reconcile(_ pool: BrokerPool, reconcileId: String) async throws -> Duration {
        let started = ContinuousClock.now
        let key = ObjectKey(pool.metadata)
        var logger = logger
        logger[metadataKey: "pool"] = "\(key)"
        logger[metadataKey: "reconcile_id"] = "\(reconcileId)"
        defer {
            let elapsed = ContinuousClock.now - started
            metrics.reconcileDuration(pool: key.description, seconds: elapsed.inSeconds)
        }
        let now = clock()
        var spec = pool.spec
        if options.dryRun { spec.dryRun = true }
        var remembered = memory.withLockedValue { $0[key] ?? Memory() }
        if let uid = pool.metadata.uid, let before = remembered.uid, before != uid {
            await forget(key, because: "pool deleted and created again (uid \(before) → \(uid))")
            remembered = Memory()
        }
        memory.withLockedValue { $0[key, default: Memory()].uid = pool.metadata.uid }
        // One action per observed state: not again before the cache shows our last writes.
        if let waiting = remembered.expected?.waitingForPool(resourceVersion: pool.metadata.resourceVersion, now: now) {
            logger.debug("waiting for the cache to show our status write", metadata: ["step": "cache_behind", "detail": "\(waiting)"])
            return WriteExpectations.recheck
        }
        let generation = pool.metadata.generation ?? 1
        let status: BrokerPoolStatus
        let insecureWarning: String?
        switch ReconcilePlan.admit(spec: spec, status: pool.status, generation: generation, now: now) {
        case let .refused(step, problems):
            logger.warning("invalid spec; the pool is left as it is", metadata: ["problems": "\(problems)"])
            return try await report(step, pool: pool, key: key, now: now, logger: logger)
        case let .admitted(admitted, warning):
            (status, insecureWarning) = (admitted, warning)
        }
        if let insecureWarning {
            logger.warning("insecure Kafka connection settings", metadata: ["step": "insecure_settings", "settings": "\(insecureWarning)"])
        }

        // Read.
        let reading: ReconcileReading
        switch try await read(pool, spec: spec, status: status, generation: generation, now: now, remembered: remembered, key: key, logger: logger) {
        case .read(let read): reading = read
        case .unusableTarget(let step): return try await report(step, pool: pool, key: key, now: now, logger: logger)
        case .cacheBehind: return WriteExpectations.recheck
        }

        // Plan, pure: the decision, the sequence's step, the status to write.
        let plan = ReconcilePlan.make(reading)
        observe(plan, current: reading.statefulSetReplicas, ready: reading.statefulSetReady, spec: spec, key: key, logger: logger)

        // Write, then act. The status records the step about to be taken (ScalingIn after
        // DrainVerified, the batch about to be submitted), and its write is the claim to take
        // it: it carries the resourceVersion the pool was read at, so a reconcile that read a
        // stale pool (its own cache behind, or an old leader that has not noticed a new one)
        // gets a 409 and does nothing. Actions first could run twice on one state and only
        // then fail on the write. The cost: an action that fails after the write leaves a
        // status one step ahead; every step is re-derived from the world next time (ScalingOut
        // patches again while the StatefulSet is short, moves that never reached Kafka are
        // planned again, a lost Event is only lost), so nothing unsafe follows.
        if plan.status != pool.status {
            try mayWrite()
            try await write(plan.status, of: pool, key: key, now: now)
        }
        // After the status that carries ConnectionSecure=False is written, as every Event: a
        // reconcile on a cache that has not seen that write yet waits for it, so the Warning
        // goes out once, not once per stale read.
        if let insecureWarning, plan.status.conditions?.contains(where: { $0.type == .connectionSecure }) == true {
            await recordEvent(
                about: pool, type: "Warning", reason: ConnectionSecurity.reason, action: "Connect", note: insecureWarning, logger: logger)
        }
        let inFlight = try await act(
            plan.actions, of: pool, planned: plan.status, current: reading.statefulSetReplicas, cluster: reading.cluster,
            movesInFlight: remembered.movesInFlight, key: key, now: now, logger: logger)
        if plan.step.record != remembered.lastRecord || !plan.actions.isEmpty {
            logger.info("step", metadata: ["step": "\(plan.step.record)", "state": "\((plan.status.state ?? .stable).rawValue)"])
        }
        memory.withLockedValue { memory in
            memory[key, default: Memory()].history = plan.history
            memory[key, default: Memory()].lastRecord = plan.step.record
            memory[key, default: Memory()].movesInFlight = inFlight
        }
        return plan.step.requeueAfter
    }

    /// What the read step found.
    enum ReadOutcome {
        case read(ReconcileReading)
        /// The StatefulSet is missing or does not opt in: the pool shows this step, nothing else.
        case unusableTarget(SequenceStep)
        /// The StatefulSet does not show our last scale patch yet: look again shortly.
        case cacheBehind
    }

    /// Reads what the plan needs: the StatefulSet and its pods, the Kafka cluster (or why it
    /// cannot be read: the plan holds then), the metrics, and the throughput history when the
    /// pool forecasts.
    func read(
        _ pool: BrokerPool, spec: BrokerPoolSpec, status: BrokerPoolStatus, generation: Int64, now: Date, remembered: Memory, key: ObjectKey,
        logger: Logger
    ) async throws -> ReadOutcome {
        let workload: WorkloadState
        do {
            workload = try await workloads.workload(of: pool)
        } catch let missing as WorkloadNotFound {
            logger.warning(
                "scale target not found; the pool is blocked",
                metadata: ["step": "target_not_found", "statefulset": "\(missing.namespace)/\(missing.name)"])
            return .unusableTarget(
                ScalingSequence.targetNotFound(
                    status: status, spec: spec, generation: generation, now: now, namespace: missing.namespace, name: missing.name))
        } catch let foreign as WorkloadNotOptedIn {
            logger.warning(
                "scale target does not opt in; it is left alone",
                metadata: [
                    "step": "target_not_opted_in", "statefulset": "\(foreign.namespace)/\(foreign.name)", "annotation": "\(PoolOptIn.annotation)"
                ])
            return .unusableTarget(
                ScalingSequence.targetNotOptedIn(
                    status: status, spec: spec, generation: generation, now: now, namespace: foreign.namespace, name: foreign.name,
                    pool: foreign.pool))
        } catch {
            metrics.error(kind: "kubernetes")
            throw ReconcileError.step("read StatefulSet \(spec.scaleTargetRef.name)", cause: "\(error)")
        }
        if let waiting = remembered.expected?.waitingForWorkload(replicas: workload.replicas, now: now) {
            logger.debug("waiting for the StatefulSet to show our scale patch", metadata: ["step": "cache_behind", "detail": "\(waiting)"])
            return .cacheBehind
        }
        // The cache has caught up: nothing is expected any more until this reconcile writes.
        if remembered.expected != nil { memory.withLockedValue { $0[key]?.expected = nil } }
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
        var throughputHistory: [MetricSample]?
        if let predictive = spec.predictive, predictive.effectiveMode != .off {
            do {
                throughputHistory = try await metricSource.throughputHistory(pool, now: now)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // No forecast this time: the pool is sized by its metrics and schedules alone.
                metrics.error(kind: "history")
                logger.warning("cannot read the throughput history for spec.predictive; no forecast this time", metadata: ["error": "\(error)"])
            }
        }
        return .read(
            ReconcileReading(
                now: now, spec: spec, generation: generation, status: status, statefulSetReplicas: workload.replicas,
                statefulSetPods: workload.pods, statefulSetReady: workload.ready, selector: workload.selector, pods: workload.brokerPods,
                cluster: cluster, clusterError: clusterError, metrics: observations, history: remembered.history,
                throughputHistory: throughputHistory))
    }

    /// The plan as users see it: the decision line in the log and the pool's gauges.
    func observe(_ plan: ReconcilePlan, current: Int32, ready: Int32, spec: BrokerPoolSpec, key: ObjectKey, logger: Logger) {
        let decision = plan.decision
        logDecision(decision, spec: spec, state: plan.status.state, key: key, logger: logger)
        metrics.decision(
            pool: key.description, direction: decision.direction.rawValue,
            reason: decision.limitedBy?.rule.rawValue ?? (decision.direction == .none ? "Stable" : "Metrics"))
        metrics.replicas(pool: key.description, desired: plan.status.desiredReplicas ?? current, current: current, ready: ready)
        metrics.state(pool: key.description, (plan.status.state ?? .stable).rawValue)
    }

    /// Executes the plan's actions in order, each write after a leadership check; returns the
    /// partition moves now in flight.
    func act(
        _ actions: [SequenceAction], of pool: BrokerPool, planned: BrokerPoolStatus, current: Int32, cluster: ClusterSnapshot?,
        movesInFlight: Int, key: ObjectKey, now: Date, logger: Logger
    ) async throws -> Int {
        let spec = pool.spec
        var inFlight = movesInFlight
        if let cluster, cluster.reassigning.isEmpty, inFlight > 0 {
            metrics.movesCompleted(pool: key.description, inFlight)
            inFlight = 0
        }
        for action in actions {
            switch action {
            case .setReplicas(let replicas):
                try mayWrite()
                do {
                    try await workloads.setReplicas(of: pool, to: replicas)
                } catch {
                    metrics.error(kind: "kubernetes")
                    throw ReconcileError.step("patch replicas of \(spec.scaleTargetRef.name) to \(replicas)", cause: "\(error)")
                }
                memory.withLockedValue { memory in
                    var expected = memory[key]?.expected ?? WriteExpectations(since: now)
                    expected.replicas = replicas
                    memory[key, default: Memory()].expected = expected
                }
                metrics.scaled(pool: key.description, direction: replicas > current ? "out" : "in")
                logger.info(
                    "replicas patched",
                    metadata: ["step": "replicas_patched", "from": "\(current)", "to": "\(replicas)", "statefulset": "\(spec.scaleTargetRef.name)"])
            case let .submit(plannedMoves, batch):
                try mayWrite()
                // The plan was made from pods listed at the start of the reconcile; a pod may have
                // gone since. Moves onto a broker whose pod is not ready now wait for the next
                // reconcile, which plans from what is there then.
                let (moves, withheld) = try await movesOntoReadyBrokers(plannedMoves, of: pool)
                if !withheld.isEmpty {
                    logger.warning(
                        "moves withheld: their target's pod is no longer ready",
                        metadata: [
                            "step": "moves_withheld", "batch": "\(batch)", "partitions": .array(withheld.map { .string($0) })
                        ])
                }
                let refused: [String]
                do {
                    refused = moves.isEmpty ? [] : try await kafka.submit(moves, for: pool)
                } catch {
                    metrics.error(kind: "kafka")
                    throw ReconcileError.step("submit reassignment batch \(batch)", cause: "\(error)")
                }
                inFlight += moves.count - refused.count
                metrics.movesSubmitted(pool: key.description, moves.count - refused.count)
                logger.info(
                    "plan submitted",
                    metadata: [
                        "step": "plan_submitted", "plan_id": "\(planned.reassignment?.planId ?? "")", "batch": "\(batch)", "moves": "\(moves.count)",
                        "refused": .array(refused.map { .string($0) }), "withheld": "\(withheld.count)",
                        "state": "\((planned.state ?? .stable).rawValue)"
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
                await recordEvent(about: pool, type: type, reason: reason, action: reason, note: note, logger: logger)
            }
        }
        return inFlight
    }

    /// `moves` split by their targets: those whose every new replica is on a broker with a ready
    /// pod now (read again, just before the submit), and the partitions of the others. With the
    /// pods unlisted (the port does not list them), every move goes.
    func movesOntoReadyBrokers(_ moves: [PartitionMove], of pool: BrokerPool) async throws -> (go: [PartitionMove], withheld: [String]) {
        let workload: WorkloadState
        do {
            workload = try await workloads.workload(of: pool)
        } catch {
            metrics.error(kind: "kubernetes")
            throw ReconcileError.step("read the pods again before submitting moves", cause: "\(error)")
        }
        guard let pods = workload.brokerPods else { return (moves, []) }
        let ready = Set(pods.filter(\.ready).map { ScalingSequence.brokerId(ordinal: $0.ordinal, spec: pool.spec) })
        var go: [PartitionMove] = []
        var withheld: [String] = []
        for move in moves {
            if move.to.allSatisfy({ move.from.contains($0) || ready.contains($0) }) {
                go.append(move)
            } else {
                withheld.append("\(move.topic)-\(move.partition)")
            }
        }
        return (go, withheld)
    }

    /// The scale target cannot be used (missing, or not opted in): the domain says what the
    /// pool shows (Blocked, AbleToScale False, one Warning Event when it starts); the reconcile
    /// writes it and touches nothing else.
    func report(_ step: SequenceStep, pool: BrokerPool, key: ObjectKey, now: Date, logger: Logger) async throws -> Duration {
        metrics.state(pool: key.description, (step.status.state ?? .stable).rawValue)
        try mayWrite()
        if step.status != pool.status { try await write(step.status, of: pool, key: key, now: now) }
        for case let .event(type, reason, note) in step.actions {
            await recordEvent(about: pool, type: type, reason: reason, action: reason, note: note, logger: logger)
        }
        return step.requeueAfter
    }

    /// Writes the status, and expects the cache to show it before the pool is acted on again.
    func write(_ status: BrokerPoolStatus, of pool: BrokerPool, key: ObjectKey, now: Date) async throws {
        let stored: BrokerPool
        do {
            stored = try await workloads.writeStatus(of: pool, status)
        } catch let error as KubernetesClientError where error.apiError?.isConflict == true {
            throw ReconcileError.conflict("\(error)")
        } catch {
            metrics.error(kind: "kubernetes")
            throw ReconcileError.step("write status", cause: "\(error)")
        }
        memory.withLockedValue { memory in
            memory[key, default: Memory()].expected = WriteExpectations(
                poolVersion: stored.metadata.resourceVersion, replacedVersion: pool.metadata.resourceVersion, since: now)
        }
    }

    /// Records an Event. One the API server refuses (403 without the `events` rule, 429, a
    /// timeout) does not fail the reconcile, which has done its work, but is not silent either:
    /// a warning naming the Event's reason and the HTTP status, and `ebb_errors_total{kind="event"}`.
    func recordEvent(about pool: BrokerPool, type: String, reason: String, action: String, note: String, logger: Logger) async {
        do {
            try await workloads.recordEvent(about: pool, type: type, reason: reason, action: action, note: note)
        } catch {
            metrics.error(kind: "event")
            let status = (error as? KubernetesClientError)?.apiError.map { String($0.httpStatus) } ?? "none"
            logger.warning(
                "cannot record Event",
                metadata: [
                    "step": "record_event", "event_reason": "\(reason)", "event_type": "\(type)", "http_status": "\(status)", "error": "\(error)"
                ])
        }
    }

    /// One JSON line per decision that changes something, or differs from the last one logged.
    func logDecision(_ decision: Decision, spec: BrokerPoolSpec, state: PoolState?, key: ObjectKey, logger: Logger) {
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
            "applied": .stringConvertible(decision.apply), "metrics": .array(metricRecords), "state": "\((state ?? .stable).rawValue)"
        ]
        if let metric = decision.metric { metadata["metric"] = "\(metric)" }
        if let limit = decision.limitedBy {
            metadata["limited_by"] = "\(limit.rule.rawValue)"
            metadata["limit_detail"] = "\(limit.detail)"
        }
        if let forecast = decision.forecast {
            metadata["forecast"] = .dictionary([
                "bytes_in_per_second": .stringConvertible(forecast.bytesInPerSecond.rounded()),
                "floor": .stringConvertible(forecast.floor),
                "applied": .stringConvertible(forecast.applied),
                "summary": "\(forecast.summary)"
            ])
        }
        if let demand = decision.demand {
            var fields: Logger.Metadata = [
                "served_bytes_per_second": .stringConvertible(demand.servedBytesPerSecond.rounded()),
                "backlog_growth_bytes_per_second": .stringConvertible(demand.backlogGrowthBytesPerSecond.rounded()),
                "backlog_growth_counted": .stringConvertible(demand.backlogGrowthCounted),
                "offered_bytes_per_second": .stringConvertible(demand.offeredBytesPerSecond.rounded()),
                "capacity_per_broker_bytes_per_second": .stringConvertible(demand.capacityPerBrokerBytesPerSecond.rounded()),
                "brokers_for_offered_load": .stringConvertible((demand.brokersForOfferedLoad * 100).rounded() / 100),
                "summary": "\(demand.summary)"
            ]
            if let producerOffered = demand.producerOfferedBytesPerSecond {
                fields["producer_offered_bytes_per_second"] = .stringConvertible(producerOffered.rounded())
            }
            if let reading = demand.producerOffered {
                // The answer as read; the field above is what the decision used (carried forward by
                // offeredReadingAgeSeconds while it rises).
                fields["producer_offered_read_bytes_per_second"] = .stringConvertible(reading.read.rounded())
                if let rise = reading.risePerSecond, reading.carried {
                    fields["producer_offered_rise_bytes_per_second_each_second"] = .stringConvertible(rise.rounded())
                }
            }
            metadata["demand"] = .dictionary(fields)
        }
        logger.info("decision", metadata: metadata)
    }
}
