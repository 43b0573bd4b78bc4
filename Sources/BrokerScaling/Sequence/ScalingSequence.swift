import Foundation
import KubernetesTypes

/// The Kafka cluster as one reconcile saw it.
public struct ClusterSnapshot: Sendable, Hashable {
    /// Brokers registered in the cluster (Metadata), with racks.
    public var brokers: [ClusterView.Broker]
    public var partitions: [ClusterView.Partition]
    /// Partitions (`topic-partition`) with a reassignment in progress.
    public var reassigning: Set<String>

    public init(brokers: [ClusterView.Broker], partitions: [ClusterView.Partition], reassigning: Set<String> = []) {
        self.brokers = brokers
        self.partitions = partitions
        self.reassigning = reassigning
    }
}

/// Everything one step of the scaling sequence looks at. Time is an input.
public struct PoolObservation: Sendable {
    public var now: Date
    public var spec: BrokerPoolSpec
    public var generation: Int64
    /// The status as stored: where the sequence is, and the reassignment in progress.
    public var status: BrokerPoolStatus
    /// The StatefulSet's spec.replicas, status.replicas (pods that exist) and readyReplicas.
    public var statefulSetReplicas: Int32
    public var statefulSetPods: Int32
    public var statefulSetReady: Int32
    /// The StatefulSet's pods by ordinal, and whether each is ready; nil when they were not
    /// listed (then ordinals 0 ..< statefulSetPods are taken to exist, the first
    /// statefulSetReady of them ready).
    public var pods: [BrokerPod]?
    /// nil when the cluster could not be read: the sequence then holds.
    public var cluster: ClusterSnapshot?
    /// Why the cluster could not be read.
    public var clusterError: String?
    /// This reconcile's decision (the shell asks the decision engine every time).
    public var decision: Decision?

    public init(
        now: Date, spec: BrokerPoolSpec, generation: Int64, status: BrokerPoolStatus, statefulSetReplicas: Int32, statefulSetPods: Int32,
        statefulSetReady: Int32, pods: [BrokerPod]? = nil, cluster: ClusterSnapshot?, clusterError: String? = nil, decision: Decision?
    ) {
        self.pods = pods
        self.now = now
        self.spec = spec
        self.generation = generation
        self.status = status
        self.statefulSetReplicas = statefulSetReplicas
        self.statefulSetPods = statefulSetPods
        self.statefulSetReady = statefulSetReady
        self.cluster = cluster
        self.clusterError = clusterError
        self.decision = decision
    }
}

/// What the shell must do, in order.
public enum SequenceAction: Sendable, Hashable {
    /// Patch the StatefulSet's replicas.
    case setReplicas(Int32)
    /// Submit these moves as one reassignment batch.
    case submit([PartitionMove], batch: Int32)
    /// Preferred leader election, for these partitions (`topic-partition`) or all when nil.
    case electLeaders([String]?)
    /// A Kubernetes Event about the pool.
    case event(type: String, reason: String, note: String)
}

/// One step's outcome: the status to write, the actions, and when to look again.
public struct SequenceStep: Sendable {
    public var status: BrokerPoolStatus
    public var actions: [SequenceAction]
    /// A log record for this step ("plan submitted", "drain verified", "waiting").
    public var record: String
    public var requeueAfter: Duration
}

/// The scaling sequence, pure: scale out then rebalance; drain then scale in. Its state lives in
/// the pool's status (state, plan id, target, victims), so a restarted operator or a new leader
/// resumes from what the status and the cluster say. Every step is recomputed from what is
/// observed (level-based): a batch that completed is seen in the cluster and never resubmitted,
/// and a reassignment in progress is waited for, never lost.
public enum ScalingSequence {
    /// How long to wait before looking again while something is moving.
    public static let busyInterval: Duration = .seconds(2)
    /// The most batches one rebalance or drain submits (a guard against a plan that never settles).
    public static let maxBatches: Int32 = 200

    public static func advance(_ observation: PoolObservation, constraints: PlanConstraints) -> SequenceStep {
        var step = Step(observation: observation, constraints: constraints)
        step.run()
        return step.result
    }

    /// The pool's brokers as `observation` shows them, for a pool heading for `keep` replicas.
    public static func membership(_ observation: PoolObservation, cluster: ClusterSnapshot, keep: Int32, victims: [Int32]) -> PoolMembership {
        PoolMembership(
            spec: observation.spec, statefulSetReplicas: observation.statefulSetReplicas, keep: keep,
            pods: observation.pods ?? PoolMembership.impliedPods(pods: observation.statefulSetPods, ready: observation.statefulSetReady),
            registered: cluster.brokers, victims: victims)
    }

    /// Broker id of each StatefulSet ordinal, clamped as in PoolMembership: the validator keeps
    /// brokerIdOffset + maxReplicas - 1 within Int32, but a StatefulSet may have more pods.
    public static func brokerId(ordinal: Int32, spec: BrokerPoolSpec) -> Int32 {
        Int32(clamping: Int64(spec.effectiveBrokerIdOffset) + Int64(ordinal))
    }

    /// The replicas this reconcile aims for: the decision's. A count set through the scale
    /// subresource (`spec.replicas`, by an HPA or KEDA) is one of the decision's inputs, so it
    /// meets the same floors and holds (schedule, pausedScaleIn, a reassignment, rising lag)
    /// as Ebb's own. Without a decision, the decision engine is asked about `spec.replicas`
    /// alone; without either, nothing is aimed for.
    public static func target(_ observation: PoolObservation) -> Int32? {
        // A dry run shows what would be done; the sequence then does nothing with it.
        guard let decision = observation.decision ?? externalDecision(observation),
            decision.apply || observation.spec.dryRun == true
        else { return nil }
        return decision.desiredReplicas
    }

    /// The brokers wanted while a drain is under way, or nil when no wish is known (metrics
    /// missing: the drain goes on, and scaling in waits for them as always). A hold that only
    /// makes a scale-in wait (the drain's own moves in progress, rising lag, the cooldown)
    /// does not change the wish: what the decision would be without it counts. Anything else
    /// (demand, `spec.replicas`, the bounds, `pausedScaleIn`) is the wish as decided.
    static func wantedDuringDrain(_ observation: PoolObservation) -> Int32? {
        guard let decision = observation.decision ?? externalDecision(observation) else { return nil }
        switch decision.limitedBy?.rule {
        case .blind?, .partialMetrics?, .fallback?: return nil
        case .reassignmentInProgress?, .lagRising?, .scaleInCooldown?: return decision.stages.afterPolicies
        default: return decision.desiredReplicas
        }
    }

    /// A reassignment's plan id: from the time and the target, so that logs can tell plans apart.
    static func planId(now: Date, target: Int32) -> String {
        "plan-" + String(format: "%08x", UInt32(truncatingIfNeeded: Int(now.timeIntervalSince1970 * 1000) ^ Int(target) << 20))
    }

    /// The decision on `spec.replicas` from what the observation shows, when the shell gave none.
    static func externalDecision(_ observation: PoolObservation) -> Decision? {
        guard observation.spec.replicas != nil else { return nil }
        return DecisionEngine.decide(
            DecisionInput(
                now: observation.now, spec: observation.spec, currentReplicas: observation.statefulSetReplicas,
                readyReplicas: observation.statefulSetReady, reassignmentInProgress: observation.cluster.map { !$0.reassigning.isEmpty },
                kafkaUnreadable: observation.cluster == nil ? (observation.clusterError ?? "unknown error") : nil))
    }
}

/// One step's working state.
struct Step {
    let observation: PoolObservation
    let constraints: PlanConstraints
    var status: BrokerPoolStatus
    var actions: [SequenceAction] = []
    var record = ""
    var requeueAfter: Duration
    /// Whether this step set the AbleToScale condition (otherwise it is Ready at the end).
    var ableToScaleSet = false
    /// This step tries a blocked drain again.
    var retryingBlockedDrain = false

    init(observation: PoolObservation, constraints: PlanConstraints) {
        self.observation = observation
        self.constraints = constraints
        self.status = observation.status
        self.requeueAfter = .seconds(observation.spec.effectivePollingIntervalSeconds)
    }

    var result: SequenceStep { SequenceStep(status: status, actions: actions, record: record, requeueAfter: requeueAfter) }
    var spec: BrokerPoolSpec { observation.spec }
    /// How soon to look again while something moves: the busy interval, or the polling
    /// interval when that is shorter.
    var busy: Duration { min(ScalingSequence.busyInterval, .seconds(spec.effectivePollingIntervalSeconds)) }
    var now: String { TimeFormat.format(observation.now) }

    mutating func run() {
        status.observedGeneration = observation.generation
        status.replicas = observation.statefulSetReplicas
        status.readyReplicas = observation.statefulSetReady
        guard let cluster = observation.cluster else {
            // Blind: hold whatever step we are in; nothing is changed on missing information.
            condition(
                .ableToScale, .false, "KafkaUnavailable", "cannot read the Kafka cluster: \(observation.clusterError ?? "unknown error"); holding")
            record = "holding: the Kafka cluster cannot be read"
            requeueAfter = busy * 5
            return
        }
        defer {
            // Set once a step: a step that blocks says so instead, and a condition set twice in
            // one step would move its lastTransitionTime (a status write) every reconcile.
            if !ableToScaleSet { condition(.ableToScale, .true, "Ready", "the StatefulSet and the Kafka cluster can be read") }
        }
        let state = status.state ?? .stable
        if [.scalingOut, .rebalancing, .draining, .scalingIn].contains(state), spec.paused == true || spec.dryRun == true {
            // Nothing new starts: a batch already submitted finishes in Kafka, and the sequence
            // resumes from where the status says once the pool is unpaused (or acted on again).
            record =
                spec.paused == true
                ? "paused: \(state.rawValue) resumes when spec.paused is unset"
                : "dry run: \(state.rawValue) holds; nothing is written to the StatefulSet or Kafka"
            return
        }
        switch state {
        case .stable, .paused, .blocked: idle(cluster)
        case .scalingOut: scalingOut(cluster)
        case .rebalancing: rebalancing(cluster)
        case .draining: draining(cluster)
        case .scalingIn: scalingIn(cluster)
        }
    }

    // MARK: States

    mutating func idle(_ cluster: ClusterSnapshot) {
        if spec.paused == true {
            status.state = .paused
            record = "paused"
            return
        }
        if status.state == .blocked, spec.dryRun != true, var reassignment = status.reassignment, reassignment.drainingBrokers != nil {
            // A blocked drain is tried again each polling interval with a fresh batch budget (and
            // a new plan id once it submits): the cluster may have changed (a refusing broker
            // back, a partition gone).
            retryingBlockedDrain = true
            reassignment.batchesDone = 0
            status.reassignment = reassignment
            status.state = .draining
            return draining(cluster)
        }
        status.state = .stable
        let current = observation.statefulSetReplicas
        guard let target = ScalingSequence.target(observation) else {
            status.desiredReplicas = current
            record = "stable"
            return
        }
        status.desiredReplicas = target
        if spec.dryRun == true {
            record = target == current ? "stable" : "dry run: would scale \(current) -> \(target)"
            return
        }
        if target > current {
            begin(target: target, victims: nil)
            actions.append(.setReplicas(target))
            actions.append(
                .event(
                    type: "Normal", reason: "ScaleOut",
                    note: "\(current) -> \(target) brokers: \(observation.decision?.reason ?? "replicas set on the pool")"))
            status.state = .scalingOut
            status.lastScaleTime = now
            record = "scale out \(current) -> \(target): replicas patched"
            requeueAfter = busy
        } else if target < current {
            let victims = (target..<current).map { ScalingSequence.brokerId(ordinal: $0, spec: spec) }
            begin(target: target, victims: victims)
            actions.append(
                .event(
                    type: "Normal", reason: "Drain",
                    note: "\(current) -> \(target) brokers: draining \(victims.map(String.init).joined(separator: ", ")) first"))
            status.state = .draining
            draining(cluster)
        } else {
            record = "stable"
        }
    }

    mutating func begin(target: Int32, victims: [Int32]?) {
        status.reassignment = ReassignmentStatus(
            planId: ScalingSequence.planId(now: observation.now, target: target), targetReplicas: target, movesDone: 0, movesTotal: 0, batchesDone: 0,
            batchesTotal: 0,
            drainingBrokers: victims, startedAt: now)
    }

    /// Demand kept rising while brokers start or partitions move: raise the target at once
    /// (adding brokers is always safe) instead of finishing this round first.
    mutating func raiseTarget() -> Bool {
        guard spec.dryRun != true, spec.paused != true, var reassignment = status.reassignment, reassignment.drainingBrokers == nil,
            let wanted = ScalingSequence.target(observation), wanted > reassignment.targetReplicas
        else { return false }
        actions.append(.setReplicas(wanted))
        actions.append(
            .event(
                type: "Normal", reason: "ScaleOut",
                note:
                    "\(reassignment.targetReplicas) -> \(wanted) brokers while scaling out: \(observation.decision?.reason ?? "replicas set on the pool")"
            ))
        reassignment.targetReplicas = wanted
        status.reassignment = reassignment
        status.desiredReplicas = wanted
        status.state = .scalingOut
        status.lastScaleTime = now
        return true
    }

    mutating func scalingOut(_ cluster: ClusterSnapshot) {
        let raised = raiseTarget()
        guard let target = status.reassignment?.targetReplicas else { return finish("scale out had no target; back to stable") }
        requeueAfter = busy
        // Raising the target patched already: one scale write per step.
        if !raised, observation.statefulSetReplicas < target {
            // Not applied (or undone): apply again; patching replicas is idempotent.
            actions.append(.setReplicas(target))
        }
        let wanted = Set((0..<target).map { ScalingSequence.brokerId(ordinal: $0, spec: spec) })
        let membership = ScalingSequence.membership(observation, cluster: cluster, keep: target, victims: [])
        let missing = wanted.subtracting(membership.members)
        guard observation.statefulSetReady >= target, missing.isEmpty else {
            let waiting =
                "waiting for \(target) ready pods (\(observation.statefulSetReady) ready) and their brokers (missing: \(missing.sorted().map(String.init).joined(separator: ", ")))"
            record = "scale out: \(waiting)"
            takeLoadOnArrival(cluster, membership: membership, waiting: waiting)
            return
        }
        status.state = .rebalancing
        actions.append(.event(type: "Normal", reason: "BrokersReady", note: "\(target) brokers are ready and registered; rebalancing"))
        rebalancing(cluster)
    }

    /// New brokers take load as they arrive: while the rest of the target's pods start, a batch
    /// at a time moves partitions onto the brokers that are ready and registered, instead of
    /// leaving them empty until the last one is (a raised target would keep them empty for
    /// another pod start). Moves are metadata on shared storage, so the later rebalance that
    /// spreads over every broker costs seconds. A plan the planner refuses here is only
    /// recorded: the rebalance once all are ready decides, and blocks if it still refuses.
    mutating func takeLoadOnArrival(_ cluster: ClusterSnapshot, membership: PoolMembership, waiting: String) {
        guard cluster.reassigning.isEmpty, (status.reassignment?.batchesDone ?? 0) < ScalingSequence.maxBatches else { return }
        let view = membership.planningView(cluster)
        guard view.brokers.contains(where: { $0.state == .new }) || status.reassignment?.batchesDone ?? 0 > 0 else { return }
        let moves: [PartitionMove]
        do {
            moves = try PartitionPlanner.plan(view, constraints: constraints).batches.first ?? []
        } catch {
            record = "scale out: \(waiting); the planner refused the ready brokers' view: \(error)"
            return
        }
        guard !moves.isEmpty else { return }
        submit(moves, kind: "rebalance")
        record =
            "scale out: \(waiting); rebalance batch \(status.reassignment?.batchesDone ?? 0) onto the \(membership.targets.count) ready brokers: \(moves.count) moves"
    }

    mutating func rebalancing(_ cluster: ClusterSnapshot) {
        requeueAfter = busy
        if raiseTarget() {
            record = "scale out raised to \(status.reassignment?.targetReplicas ?? 0) while rebalancing"
            return
        }
        if !cluster.reassigning.isEmpty {
            record = "rebalancing: \(cluster.reassigning.count) partition move(s) in progress"
            condition(.rebalancing, .true, "MovesInProgress", "\(cluster.reassigning.count) partition moves in progress")
            return
        }
        let keep = status.reassignment?.targetReplicas ?? observation.statefulSetReplicas
        let membership = ScalingSequence.membership(observation, cluster: cluster, keep: keep, victims: [])
        let view = membership.planningView(cluster)
        let moves: [PartitionMove]
        do {
            moves = try PartitionPlanner.plan(view, constraints: constraints).batches.first ?? []
        } catch {
            return block("the planner refused the cluster view: \(error)")
        }
        if moves.isEmpty || (status.reassignment?.batchesDone ?? 0) >= ScalingSequence.maxBatches {
            // Only the pool's partitions: those led, by preference, from a broker it keeps.
            let preferred = view.partitions.filter { $0.replicas.first.map(membership.targets.contains) == true }.map(\.name)
            if !preferred.isEmpty { actions.append(.electLeaders(preferred)) }
            actions.append(
                .event(
                    type: "Normal", reason: "Rebalanced",
                    note:
                        "partitions balanced after \(status.reassignment?.movesDone ?? 0) moves in \(status.reassignment?.batchesDone ?? 0) batches; preferred leaders elected"
                ))
            condition(.rebalancing, .false, "Balanced", "partitions are balanced")
            return finish("rebalanced: \(status.reassignment?.movesDone ?? 0) moves; preferred leaders elected")
        }
        submit(moves, kind: "rebalance")
    }

    mutating func draining(_ cluster: ClusterSnapshot) {
        requeueAfter = busy
        guard let reassignment = status.reassignment, let victims = reassignment.drainingBrokers else {
            return finish("drain had no victims; back to stable")
        }
        if let wanted = ScalingSequence.wantedDuringDrain(observation), wanted > reassignment.targetReplicas {
            return cancelDrain(of: victims, wanted: wanted, cluster)
        }
        if !cluster.reassigning.isEmpty {
            record = "draining: \(cluster.reassigning.count) partition move(s) in progress"
            condition(
                .rebalancing, .true, "Draining",
                "draining brokers \(victims.map(String.init).joined(separator: ", ")): \(cluster.reassigning.count) moves in progress")
            return
        }
        let membership = ScalingSequence.membership(observation, cluster: cluster, keep: reassignment.targetReplicas, victims: victims)
        let holding = membership.misplaced(cluster)
        if holding.isEmpty, let blind = Self.cannotSee(observation) {
            // The moves are done, but removing brokers is a scale-in, and Ebb does not scale in
            // while it cannot see: the emptied brokers wait until the metrics are back.
            record = "drain done; brokers kept while \(blind)"
            condition(
                .ableToScale, .false, "MetricsUnavailable",
                "drained brokers \(victims.map(String.init).joined(separator: ", ")) are kept until the metrics can be read: \(blind)")
            return
        }
        if holding.isEmpty {
            // Verified from the whole placement: no victim holds a replica or leads a partition,
            // and no replica is on a pool broker that does not stay.
            actions.append(
                .event(
                    type: "Normal", reason: "DrainVerified",
                    note:
                        "brokers \(victims.map(String.init).joined(separator: ", ")) hold no partition and every replica of the pool is on a broker it keeps; scaling in to \(reassignment.targetReplicas)"
                ))
            actions.append(.setReplicas(reassignment.targetReplicas))
            status.state = .scalingIn
            record = "drain verified; replicas patched to \(reassignment.targetReplicas)"
            return
        }
        let view = membership.planningView(cluster)
        let plan: ReassignmentPlan
        do {
            plan = try PartitionPlanner.plan(view, constraints: constraints)
        } catch {
            return block(
                "cannot drain brokers \(victims.map(String.init).joined(separator: ", ")): the planner refused the cluster view: \(error); blocking: \(PoolMembership.describe(holding)); \(retried)"
            )
        }
        let moves = plan.batches.first ?? []
        guard !moves.isEmpty, (reassignment.batchesDone ?? 0) < ScalingSequence.maxBatches else {
            let brokers = victims.map(String.init).joined(separator: ", ")
            if !moves.isEmpty {
                // Every batch was refused, timed out or undone: the moves never stuck.
                return block(
                    "cannot drain brokers \(brokers): \(holding.count) partition(s) still stay after \(ScalingSequence.maxBatches) batches (moves refused, timed out or undone; the plan_submitted log lines name refused partitions): \(PoolMembership.describe(holding)); \(retried)"
                )
            }
            let why = plan.unmetGoals.isEmpty ? "" : " (\(plan.unmetGoals.prefix(5).joined(separator: "; ")))"
            return block(
                "cannot drain brokers \(brokers): \(holding.count) partition(s) have nowhere to go on the brokers the pool keeps: \(PoolMembership.describe(holding))\(why); \(retried)"
            )
        }
        submit(moves, kind: "drain")
    }

    mutating func scalingIn(_ cluster: ClusterSnapshot) {
        requeueAfter = busy
        guard let reassignment = status.reassignment else { return finish("scale in had no target; back to stable") }
        let membership = ScalingSequence.membership(
            observation, cluster: cluster, keep: reassignment.targetReplicas, victims: reassignment.drainingBrokers ?? [])
        if !membership.misplaced(cluster).isEmpty {
            // A victim took a partition again (a new topic?): drain again before shrinking.
            status.state = .draining
            return draining(cluster)
        }
        if observation.statefulSetReplicas > reassignment.targetReplicas {
            actions.append(.setReplicas(reassignment.targetReplicas))
        }
        if observation.statefulSetPods <= reassignment.targetReplicas {
            actions.append(
                .event(
                    type: "Normal", reason: "ScaledIn",
                    note: "scaled in to \(reassignment.targetReplicas) brokers after moving \(reassignment.movesDone) partitions"))
            status.lastScaleTime = now
            return finish("scaled in to \(reassignment.targetReplicas)")
        }
        record = "scale in: waiting for pods to go (\(observation.statefulSetPods) left, target \(reassignment.targetReplicas))"
    }

    // MARK: Helpers

    /// Why the decision could not see (a metric or Kafka unreadable), or nil when it could.
    static func cannotSee(_ observation: PoolObservation) -> String? {
        observation.decision?.blindness
    }

    mutating func submit(_ moves: [PartitionMove], kind: String) {
        let done = status.reassignment?.batchesDone ?? 0
        if var reassignment = status.reassignment {
            if retryingBlockedDrain { reassignment.planId = ScalingSequence.planId(now: observation.now, target: reassignment.targetReplicas) }
            reassignment.batchesDone = done + 1
            reassignment.movesDone += Int32(moves.count)
            reassignment.movesTotal = max(reassignment.movesTotal, reassignment.movesDone)
            reassignment.batchesTotal = max(reassignment.batchesTotal ?? 0, done + 1)
            status.reassignment = reassignment
        }
        actions.append(.submit(moves, batch: done + 1))
        condition(.rebalancing, .true, kind == "drain" ? "Draining" : "Rebalancing", "\(kind) batch \(done + 1): \(moves.count) moves submitted")
        record = "\(kind) batch \(done + 1) submitted: \(moves.count) moves"
    }

    mutating func finish(_ what: String) {
        status.state = .stable
        status.reassignment = nil
        record = what
        requeueAfter = .seconds(spec.effectivePollingIntervalSeconds)
        if status.conditions?.contains(where: { $0.type == .rebalancing }) == true {
            condition(.rebalancing, .false, "Idle", "no partition is moving")
        }
    }

    /// What ends a block: the next try, or a change of mind.
    var retried: String {
        "tried again every \(spec.effectivePollingIntervalSeconds)s; a wish for more brokers (spec.replicas, or the metrics) cancels the drain"
    }

    /// More brokers are wanted than the drain aims for (demand rose, the count set on the pool
    /// went up, `pausedScaleIn` was set): removing them is no longer wanted. The drain stops;
    /// what it moved stays on brokers the pool keeps, and the pool goes on from the brokers
    /// there are (a scale-out at once when more than those are wanted).
    mutating func cancelDrain(of victims: [Int32], wanted: Int32, _ cluster: ClusterSnapshot) {
        let current = observation.statefulSetReplicas
        let brokers = victims.map(String.init).joined(separator: ", ")
        actions.append(
            .event(
                type: "Normal", reason: "DrainCancelled",
                note:
                    "\(wanted) brokers wanted, \(current) running: the drain of brokers \(brokers) is cancelled; partitions it moved stay where they are"
            ))
        condition(.rebalancing, .false, "DrainCancelled", "the drain of brokers \(brokers) was cancelled: \(wanted) brokers are wanted")
        status.state = .stable
        status.reassignment = nil
        idle(cluster)
        record = "drain cancelled (\(wanted) wanted); \(record)"
    }

    mutating func block(_ why: String) {
        // One Warning when the pool becomes blocked (or for a new reason), not one per
        // reconcile while it stays blocked: the condition keeps saying why.
        let stored = observation.status.conditions?.first { $0.type == .ableToScale }
        let already = observation.status.state == .blocked && stored?.reason == "Blocked" && stored?.message == why
        status.state = .blocked
        record = "blocked: \(why)"
        if !already { actions.append(.event(type: "Warning", reason: "Blocked", note: String(why.prefix(1000)))) }
        condition(.ableToScale, .false, "Blocked", why)
        requeueAfter = .seconds(spec.effectivePollingIntervalSeconds)
    }

    mutating func condition(_ type: PoolCondition.ConditionType, _ value: PoolCondition.Status, _ reason: String, _ message: String) {
        if type == .ableToScale { ableToScaleSet = true }
        status.setCondition(type, value, reason: reason, message: message, generation: observation.generation, now: now)
    }
}
