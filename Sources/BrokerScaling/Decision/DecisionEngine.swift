import Foundation

/// Decides how many brokers a pool should have, and why. Pure and deterministic: the same input
/// gives the same decision, and time comes from `input.now`.
///
/// The stages, in order:
/// 1. each metric proposes a count (HPA's replica calculator);
/// 2. the largest proposal wins; with some metrics unreadable a scale-in is not allowed, and with
///    none readable the pool is held (or held at `spec.fallback`);
/// 3. HPA's pre-checks: a pool above maxReplicas or below its floor (minReplicas, or an open
///    schedule's) goes straight to the bound;
/// 4. partition awareness: no more brokers than partition replicas can use; optionally an even spread;
/// 5. HPA's stabilization windows, then its rate policies and bounds;
/// 6. the operator's rules: pause flags, no scale-in during a reassignment or while lag rises.
/// `spec.replicas` (set by an external HPA or KEDA) replaces stages 1–5 with that count, bounded.
public enum DecisionEngine {
    public static func decide(_ input: DecisionInput) -> Decision {
        var run = Run(input)
        return run.decide()
    }
}

private struct Run {
    let input: DecisionInput
    let spec: BrokerPoolSpec
    let current: Int32
    let now: Date
    let bounds: ReplicaBounds
    var floor: Int32 { bounds.floor }
    var proposals: [MetricProposal] = []
    var stages = Decision.Stages(final: 0)
    var limit: Decision.Limit?
    var winner: MetricProposal?
    var recorded: Int32?
    var conditions: [DecisionCondition] = []
    var demand: DemandEstimate?
    let forecast: DemandForecast?
    /// How far back a trend looks (lag rising or falling, the offered load's rise): three polls, at least a minute.
    var trendWindow: TimeInterval { max(60, 3 * Double(spec.effectivePollingIntervalSeconds)) }

    init(_ input: DecisionInput) {
        self.input = input
        self.spec = input.spec
        self.current = input.currentReplicas
        self.now = input.now
        // The floor: minReplicas, raised by any open schedule window and by a forecast that
        // applies (spec.predictive On), never above maxReplicas.
        self.forecast = DemandForecast.forecast(spec: input.spec, history: input.throughputHistory, now: input.now)
        self.bounds = ReplicaBounds(spec: spec, now: input.now, forecast: forecast)
    }

    mutating func decide() -> Decision {
        let behavior = spec.effectiveBehavior
        let up = behavior.effectiveScaleUp
        let down = behavior.effectiveScaleDown
        let staleAfter = max(30, 3 * Double(spec.effectivePollingIntervalSeconds))
        let metrics = spec.metrics ?? []
        // What the producers offer, read once per BrokerThroughput In metric that has offeredQuery.
        var offered: [String: OfferedReading] = [:]
        for metric in metrics where metric.brokerThroughput?.direction == .in {
            guard let observation = input.metrics.first(where: { $0.name == metric.displayName }) else { continue }
            offered[metric.displayName] = OfferedReading.from(
                observation, metric: metric.brokerThroughput, now: now, maxAge: staleAfter, trendWindow: trendWindow)
        }
        let calculator = ReplicaCalculator(
            current: current, ready: input.readyReplicas ?? current, toleranceUp: up.tolerance, toleranceDown: down.tolerance,
            now: now, staleAfter: staleAfter, offered: offered)
        demand = DemandEstimate.estimate(
            spec: spec, metrics: input.metrics, producerOffered: DemandEstimate.throughputIn(spec).flatMap { offered[$0.displayName] },
            ready: input.readyReplicas ?? current, now: now, window: trendWindow)
        proposals = metrics.map { metric in
            let observation = input.metrics.first { $0.name == metric.displayName }
            let proposal = calculator.propose(metric, observation)
            guard let catchUp = metric.consumerLag?.catchUpSeconds, proposal.available else { return proposal }
            return draining(metric, observation, proposal, catchUpSeconds: catchUp, tolerance: calculator)
        }
        let normalization = HPANormalization(
            now: now, current: current, bounds: bounds, scaleUp: up, scaleDown: down,
            history: input.history ?? Self.freshStartHistory(current: current, now: now))

        let desired: Int32
        if let external = spec.replicas {
            desired = bounded(external, proposedBy: .external, detail: "spec.replicas \(external), set through the scale subresource")
        } else if !metrics.isEmpty, !proposals.contains(where: \.available) {
            desired = blind()
        } else {
            desired = fromMetrics(normalization)
        }
        stages.final = operatorRules(desired)
        conditions += metricConditions()
        if !bounds.scheduleProblems.isEmpty {
            // Never dropped in silence: the pool shows which schedule is not applied, and why.
            conditions.append(
                DecisionCondition(
                    type: .specValid, status: .false, reason: "InvalidSchedule",
                    message: bounds.scheduleProblems.joined(separator: "; ") + "; the schedule is not applied"))
        }
        return finish()
    }

    /// A lag target that drains: the brokers that carry the offered load and drain the backlog
    /// above the target within `catchUpSeconds`, counted from the pool's size (brokers still
    /// starting included), so the same unserved demand is never asked for twice.
    private func draining(
        _ metric: MetricSpec, _ observation: MetricObservation?, _ hpa: MetricProposal, catchUpSeconds: Int32, tolerance: ReplicaCalculator
    ) -> MetricProposal {
        var proposal = hpa
        guard let demand else {
            proposal.available = false
            proposal.proposedReplicas = nil
            proposal.error = "catchUpSeconds needs the offered load: a BrokerThroughput In metric (and its target or spec.capacity.bytesInPerSecond)"
            return proposal
        }
        let samples = observation?.samples ?? []
        guard let newest = samples.last else { return proposal }
        let excess = max(0, ReplicaCalculator.sustainedLag(samples, newest: newest) - DemandEstimate.allowedLag(metric, observation))
        let brokers = demand.brokers(
            drainingExcess: excess, recordBytes: spec.capacity?.effectiveRecordBytes ?? BrokerCapacity.defaultRecordBytes,
            catchUpSeconds: Double(catchUpSeconds))
        let ratio = current > 0 ? brokers / Double(current) : brokers
        proposal.usageRatio = ratio
        if current > 0, tolerance.isWithinTolerance(ratio) {
            proposal.proposedReplicas = current
            proposal.withinTolerance = true
        } else {
            let rounded = brokers.rounded(.up)
            proposal.proposedReplicas = rounded.isFinite ? Int32(clamping: Int64(min(max(rounded, 0), Double(Int32.max)))) : Int32.max
            proposal.withinTolerance = false
        }
        return proposal
    }

    /// With no history at all (the operator has just started), HPA seeds the scale-down window
    /// with the current count, so that a restart is never followed at once by a scale-in.
    static func freshStartHistory(current: Int32, now: Date) -> ScalingHistory {
        ScalingHistory(recommendations: [ScalingHistory.Recommendation(time: now, replicas: current)])
    }

    /// No metric could be read: never scale in; hold, or hold at the fallback once it applies.
    private mutating func blind() -> Int32 {
        // In Int64: the input may say Int32.max failures so far.
        let failures = Int64(input.consecutiveMetricFailures ?? 0) + 1
        var desired = max(current, floor)
        if let fallback = spec.fallback, failures >= fallback.failureThreshold {
            if fallback.replicas > desired {
                desired = fallback.replicas
            }
            limit = Decision.Limit(.fallback, "fallback after \(failures) failed metric reads: at least \(fallback.replicas)")
        } else {
            limit = Decision.Limit(.blind, "no metric could be read (\(failures) in a row); not scaling in while blind")
        }
        desired = min(desired, max(spec.maxReplicas, current))
        if desired > current, floor > current, limit?.rule == .blind { limit = bounds.floorLimit }
        stages.proposed = desired
        return desired
    }

    /// `spec.replicas`: the external count within the bounds and floors (the schedule's too).
    /// The operator's rules then hold it like any decision of Ebb's own.
    private mutating func bounded(_ wanted: Int32, proposedBy rule: Decision.Limit.Rule, detail: String) -> Int32 {
        stages.proposed = wanted
        let (replicas, boundLimit) = bounds.clamp(wanted)
        limit = boundLimit
        stages.afterPolicies = replicas
        return replicas
    }

    private mutating func fromMetrics(_ normalization: HPANormalization) -> Int32 {
        let available = proposals.filter(\.available)
        // The largest proposal wins; with no metrics at all, the count stays (bounds and schedules only).
        winner = available.max { ($0.proposedReplicas ?? 0) < ($1.proposedReplicas ?? 0) }
        var proposed = winner?.proposedReplicas ?? current
        stages.proposed = proposed

        if available.count < proposals.count, proposed < current {
            let unreadable = proposals.filter { !$0.available }.map(\.metric).joined(separator: ", ")
            limit = Decision.Limit(.partialMetrics, "scale-in needs every metric; \(unreadable) could not be read")
            stages.afterPolicies = current
            return current
        }
        // HPA's pre-checks: outside the bounds, go straight to the bound.
        if current > spec.maxReplicas || current < floor {
            let (replicas, boundLimit) = bounds.clamp(current)
            limit = boundLimit
            stages.afterPolicies = replicas
            return replicas
        }

        proposed = partitionAware(proposed)
        stages.afterPartitionAwareness = proposed
        recorded = proposed

        let stabilized = normalization.stabilize(proposed)
        stages.afterStabilization = stabilized
        if stabilized != proposed {
            limit = Decision.Limit(
                .stabilizationWindow,
                stabilized > proposed
                    ? "scale-down stabilization window \(normalization.scaleDown.stabilizationWindowSeconds)s (highest recent recommendation \(stabilized))"
                    : "scale-up stabilization window \(normalization.scaleUp.stabilizationWindowSeconds)s (lowest recent recommendation \(stabilized))"
            )
        }
        let limited = normalization.applyRates(stabilized)
        if let rateLimit = limited.limit { limit = rateLimit }
        stages.afterPolicies = limited.replicas
        return limited.replicas
    }

    /// No more brokers than partition replicas can use, and optionally an even spread.
    private mutating func partitionAware(_ proposed: Int32) -> Int32 {
        guard let partitionReplicas = input.partitionReplicas, partitionReplicas > 0, proposed > current else { return proposed }
        let awareness = spec.effectivePartitionAwareness
        var result = proposed
        if awareness.effectiveCapAtPartitionCount, result > partitionReplicas {
            result = max(partitionReplicas, current)
            limit = Decision.Limit(.partitionCount, "\(partitionReplicas) partition replicas: a broker beyond that takes no load")
        }
        if awareness.effectiveEvenSpread, result > current, partitionReplicas % result != 0 {
            let ceiling = min(spec.maxReplicas, partitionReplicas)
            if result < ceiling, let even = (result...ceiling).first(where: { partitionReplicas % $0 == 0 }) {
                limit = Decision.Limit(.evenSpread, "rounded \(result)→\(even) so that \(partitionReplicas) partition replicas spread evenly")
                result = even
            }
        }
        return result
    }

    /// The operator's own rules, applied last.
    private mutating func operatorRules(_ desired: Int32) -> Int32 {
        func hold(_ rule: Decision.Limit.Rule, _ detail: String) -> Int32 {
            limit = Decision.Limit(rule, detail)
            return current
        }
        if spec.paused == true, desired != current { return hold(.paused, "spec.paused") }
        if desired > current, spec.pausedScaleOut == true { return hold(.pausedScaleOut, "spec.pausedScaleOut") }
        if desired > current, spec.replicas == nil, let detail = capacityOnTheWay() { return hold(.capacityOnTheWay, detail) }
        if desired < current {
            if let kafkaError = input.kafkaUnreadable {
                return hold(.blind, "the Kafka cluster cannot be read (\(kafkaError)), so no broker is removed")
            }
            if spec.pausedScaleIn == true { return hold(.pausedScaleIn, "spec.pausedScaleIn") }
            if input.reassignmentInProgress == true { return hold(.reassignmentInProgress, "a partition reassignment is in progress") }
            if spec.replicas == nil, let since = secondsSinceLastScaleIn(), since < Double(spec.effectiveScaleInCooldownSeconds) {
                return hold(
                    .scaleInCooldown,
                    "one scale-in per \(spec.effectiveScaleInCooldownSeconds)s (spec.scaleInCooldownSeconds); the last was \(Int(since))s ago")
            }
            if let rising = risingLag() { return hold(.lagRising, "consumer lag \(rising) is rising") }
        }
        return desired
    }

    /// Why more brokers would be asked for the same unserved demand twice, for pools whose lag
    /// drains (`catchUpSeconds`); nil when a scale-out may go ahead. Two cases:
    /// - brokers are still starting and the ready ones carry less than the target each: what
    ///   they serve is not yet the new fleet's (the rate window, the rebalance), so the
    ///   brokers on the way are capacity not yet seen;
    /// - the backlog already drains within catchUpSeconds: bytes in above the target is the
    ///   brokers serving the backlog beside the producers, not more demand.
    private func capacityOnTheWay() -> String? {
        guard let demand, let lagMetric = (spec.metrics ?? []).first(where: { $0.consumerLag?.catchUpSeconds != nil }),
            let catchUp = lagMetric.consumerLag?.catchUpSeconds
        else { return nil }
        // The producers say they offer more than the whole pool, brokers on the way included,
        // carries at the target: that demand is seen, not guessed, so nothing waits. Seen: the
        // answer as read, not carried along its rise.
        if let producerOffered = demand.producerOffered?.read, producerOffered > Double(current) * demand.capacityPerBrokerBytesPerSecond {
            return nil
        }
        let ready = input.readyReplicas ?? current
        if ready < current, ready > 0, demand.servedBytesPerSecond / Double(ready) < demand.capacityPerBrokerBytesPerSecond {
            return
                "\(current - ready) brokers are still starting and the \(ready) ready ones carry \(DecisionReason.bytes(demand.servedBytesPerSecond / Double(ready)))/s each, under \(DecisionReason.bytes(demand.capacityPerBrokerBytesPerSecond))/s: the brokers on the way are capacity not yet seen"
        }
        let observation = input.metrics.first { $0.name == lagMetric.displayName }
        if let samples = observation?.samples, let newest = samples.last,
            let trend = DemandEstimate.trend(samples, window: trendWindow), trend < 0
        {
            let excess = ReplicaCalculator.sustainedLag(samples, newest: newest) - DemandEstimate.allowedLag(lagMetric, observation)
            if excess > 0, excess / -trend <= Double(catchUp) {
                return
                    "the backlog of \(lagMetric.displayName) drains within \(Int((excess / -trend).rounded(.up))) s (catchUpSeconds \(catchUp)): bytes in above the target is the backlog being served"
            }
        }
        return nil
    }

    /// Seconds since the most recent scale-in in the history (nil: none remembered).
    private func secondsSinceLastScaleIn() -> Double? {
        guard let last = input.history?.scaleEvents.filter({ $0.to < $0.from }).map(\.time).max() else { return nil }
        return now.timeIntervalSince(last)
    }

    /// The first lag metric whose lag grew by more than 2 % over the recent samples.
    private func risingLag() -> String? {
        let window = trendWindow
        for metric in spec.metrics ?? [] where metric.type == .consumerLag {
            guard let samples = input.metrics.first(where: { $0.name == metric.displayName })?.samples,
                let newest = samples.last
            else { continue }
            let recent = samples.filter { newest.time.timeIntervalSince($0.time) <= window && $0.time <= newest.time }
            guard let oldest = recent.first, oldest.time < newest.time else { continue }
            if newest.value > oldest.value + max(1, 0.02 * oldest.value) { return metric.displayName }
        }
        return nil
    }

    /// The one blind rule's reason: why this decision may not let a broker go (nil: it may).
    /// No scale-in while a metric or the Kafka cluster cannot be read; the engine holds its own
    /// count by it, and the scaling sequence keeps drained brokers by it.
    private func blindness() -> String? {
        if let kafkaError = input.kafkaUnreadable { return "the Kafka cluster cannot be read (\(kafkaError))" }
        let unreadable = proposals.filter { !$0.available }.map(\.metric)
        if unreadable.isEmpty { return nil }
        if unreadable.count == proposals.count {
            if let limit, [.blind, .fallback].contains(limit.rule) { return limit.detail }
            return "no metric could be read"
        }
        return "scale-in needs every metric; \(unreadable.joined(separator: ", ")) could not be read"
    }

    private mutating func metricConditions() -> [DecisionCondition] {
        var out: [DecisionCondition] = []
        let unavailable = proposals.filter { !$0.available }
        if proposals.isEmpty {
            out.append(
                DecisionCondition(
                    type: .metricsAvailable, status: .true, reason: "NoMetricsConfigured",
                    message: "the pool is sized by its bounds, schedules or spec.replicas"))
        } else if unavailable.isEmpty {
            // offeredQuery unread: sized by bytes in alone, which a saturated pool under-reads.
            let offered = input.metrics.compactMap { observation in observation.offeredError.map { "\(observation.name): \($0)" } }
            out.append(
                offered.isEmpty
                    ? DecisionCondition(type: .metricsAvailable, status: .true, reason: "MetricsRead", message: "every metric was read")
                    : DecisionCondition(
                        type: .metricsAvailable, status: .true, reason: "OfferedLoadUnread",
                        message:
                            "every metric was read, but not what the producers offered (\(offered.joined(separator: "; "))); sized by the brokers' bytes in alone"
                    ))
        } else {
            let detail = unavailable.map { "\($0.metric): \($0.error ?? "unavailable")" }.joined(separator: "; ")
            out.append(
                DecisionCondition(
                    type: .metricsAvailable, status: .false, reason: unavailable.count == proposals.count ? "NoMetrics" : "PartialMetrics",
                    message: detail))
        }
        let active = spec.replicas != nil || proposals.isEmpty || proposals.contains(where: \.available)
        out.append(
            DecisionCondition(
                type: .scalingActive, status: active && spec.paused != true ? .true : .false,
                reason: spec.paused == true ? "Paused" : spec.replicas != nil ? "ExternalReplicas" : active ? "ValidMetricFound" : "FailedGetMetrics",
                message: spec.paused == true ? "spec.paused is set" : active ? "the pool can be sized" : "no metric could be read"))
        let limited = limit != nil && stages.final != (stages.proposed ?? stages.final)
        out.append(
            DecisionCondition(
                type: .scalingLimited, status: limited ? .true : .false, reason: limited ? limit!.rule.rawValue : "DesiredWithinRange",
                message: limited ? limit!.detail : "the desired count is within the acceptable range"))
        return out
    }

    private func finish() -> Decision {
        let final = stages.final
        let direction: Decision.Direction = final > current ? .up : final < current ? .down : .none
        let dryRun = spec.dryRun == true
        var decision = Decision(
            time: now, currentReplicas: current, desiredReplicas: final, direction: direction,
            apply: direction != .none && !dryRun, dryRun: dryRun, proposals: proposals, metric: winner?.metric,
            stages: stages, limitedBy: limit, reason: "", recordedRecommendation: recorded, conditions: conditions)
        decision.blindness = blindness()
        decision.demand = demand
        decision.forecast = forecast
        decision.reason = DecisionReason.line(for: decision, spec: spec)
        return decision
    }
}
