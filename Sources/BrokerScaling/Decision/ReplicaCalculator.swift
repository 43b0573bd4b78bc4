import Foundation

/// What one metric proposes, computed as the Kubernetes HPA's replica calculator does.
///
/// - Throughput and CPU are per-broker metrics (HPA's pod and resource metrics): the total over
///   the brokers that reported, with brokers that did not report assumed at the target on a
///   scale-down and at zero on a scale-up; for CPU, unready brokers count as zero on a scale-up
///   and are ignored otherwise.
/// - Lag and Prometheus values are cluster-wide (HPA's external metrics): `Value` scales the ready
///   broker count by value / target, `AverageValue` divides the value by the per-broker target
///   (for lag: the lag per partition is compared with the target, then as `Value`).
struct ReplicaCalculator {
    let current: Int32
    let ready: Int32
    let toleranceUp: Double
    let toleranceDown: Double
    let now: Date
    /// A reading older than this is stale and not used.
    let staleAfter: TimeInterval
    /// Each BrokerThroughput In metric's offeredQuery reading, by metric name.
    let offered: [String: OfferedReading]

    func isWithinTolerance(_ ratio: Double) -> Bool {
        (1 - toleranceDown) <= ratio && ratio <= (1 + toleranceUp)
    }

    func propose(_ metric: MetricSpec, _ observation: MetricObservation?) -> MetricProposal {
        let name = metric.displayName
        var proposal = MetricProposal(metric: name, type: metric.type, available: false)
        func unavailable(_ why: String) -> MetricProposal {
            proposal.error = why
            return proposal
        }
        guard let observation else { return unavailable("no reading") }
        if let error = observation.error { return unavailable(error) }
        guard let target = metric.target, let targetValue = target.targetNumber, targetValue > 0 else {
            return unavailable("the metric has no usable target")
        }
        proposal.target = targetValue

        if metric.type == .cpu {
            return cpu(observation, target: targetValue, into: proposal)
        }
        guard let sample = observation.samples?.last else { return unavailable("no sample") }
        let age = now.timeIntervalSince(sample.time)
        guard age <= staleAfter else { return unavailable("stale: the last reading is \(Int(age)) s old") }
        guard sample.value.isFinite, sample.value >= 0 else { return unavailable("the reading is \(sample.value), not a usable number") }

        switch (metric.type, target.type) {
        case (.brokerThroughput, _):
            let reporting = Int(observation.reportingBrokers ?? current)
            guard reporting > 0 else { return unavailable("no broker reported its throughput") }
            // What producers offered, when the pool reads it: a saturated broker's bytes in is
            // only what it accepted, so the larger of the two sizes the pool.
            let total = max(sample.value, offered[name]?.bytesPerSecond ?? 0)
            if current > 0, reporting > Int(current) {
                // More series than brokers: a pod that went (a scale-in) keeps its series for one
                // rate window. HPA averages over the pods that exist; the series cannot be joined
                // to pods here, so the average over the series stands for each of the brokers
                // that are there, instead of their sum being shared among fewer brokers.
                var proposal = proposal
                let ratio = total / (targetValue * Double(reporting))
                proposal.value = total / Double(reporting)
                proposal.usageRatio = ratio
                if isWithinTolerance(ratio) { return done(proposal, current, within: true) }
                return done(proposal, ceilReplicas(ratio * Double(current)), within: false)
            }
            let missing = max(0, Int(current) - reporting)
            return perBroker(total: total, counted: reporting, unready: 0, missing: missing, target: targetValue, into: proposal)
        case (.consumerLag, .averageValue):
            guard let partitions = observation.partitions, partitions > 0 else {
                return unavailable("the partition count of the group's topics is unknown")
            }
            proposal.value = Self.sustainedLag(observation.samples ?? [], newest: sample) / Double(partitions)
            return clusterValue(ratio: proposal.value! / targetValue, into: proposal)
        case (_, .averageValue):
            // HPA's external metric with an AverageValue target.
            proposal.value = sample.value
            let ratio = sample.value / (targetValue * Double(max(current, 1)))
            proposal.usageRatio = ratio
            if current > 0, isWithinTolerance(ratio) {
                return done(proposal, current, within: true)
            }
            return done(proposal, ceilReplicas(sample.value / targetValue), within: false)
        default:
            proposal.value = sample.value
            return clusterValue(ratio: sample.value / targetValue, into: proposal)
        }
    }

    /// Lag that lasted: the lowest reading of the last 30 s (the newest alone when there is no
    /// other). A partition move stops that partition for a second or two, and the lag it leaves
    /// drains at once; taken at its peak it would ask for brokers that nothing needs.
    static func sustainedLag(_ samples: [MetricSample], newest: MetricSample) -> Double {
        let recent = samples.filter { newest.time.timeIntervalSince($0.time) <= 30 && $0.time <= newest.time && $0.value.isFinite && $0.value >= 0 }
        return recent.map(\.value).min() ?? newest.value
    }

    /// HPA's `getUsageRatioReplicaCount`: ceil(ratio × ready brokers), unless within tolerance.
    private func clusterValue(ratio: Double, into proposal: MetricProposal) -> MetricProposal {
        var proposal = proposal
        proposal.usageRatio = ratio
        guard current > 0 else { return done(proposal, ceilReplicas(ratio), within: false) }
        if isWithinTolerance(ratio) { return done(proposal, current, within: true) }
        return done(proposal, ceilReplicas(ratio * Double(ready)), within: false)
    }

    private func cpu(_ observation: MetricObservation, target: Double, into proposal: MetricProposal) -> MetricProposal {
        var proposal = proposal
        guard let pods = observation.pods, !pods.isEmpty else {
            proposal.error = "no broker pod reported CPU"
            return proposal
        }
        let readyWithMetrics = pods.filter { $0.ready && $0.utilization != nil }
        let unreadyWithMetrics = pods.filter { !$0.ready && $0.utilization != nil }.count
        let missing = pods.filter { $0.utilization == nil }.count + max(0, Int(current) - pods.count)
        guard !readyWithMetrics.isEmpty else {
            proposal.error = "no ready broker pod reported CPU"
            return proposal
        }
        let total = readyWithMetrics.reduce(0) { $0 + ($1.utilization ?? 0) }
        return perBroker(total: total, counted: readyWithMetrics.count, unready: unreadyWithMetrics, missing: missing, target: target, into: proposal)
    }

    /// HPA's `calcPlainMetricReplicas` over a total of `counted` brokers' values.
    private func perBroker(total: Double, counted: Int, unready: Int, missing: Int, target: Double, into proposal: MetricProposal) -> MetricProposal {
        var proposal = proposal
        let ratio = total / (target * Double(counted))
        proposal.value = total / Double(counted)
        proposal.usageRatio = ratio
        let rebalanceUnready = unready > 0 && ratio > 1
        if !rebalanceUnready && missing == 0 {
            if isWithinTolerance(ratio) { return done(proposal, current, within: true) }
            // ratio × counted, written as total / target so that float error cannot add a broker.
            return done(proposal, ceilReplicas(total / target), within: false)
        }
        // Missing brokers: at the target on a scale-down, at zero on a scale-up. Unready: zero.
        var adjustedTotal = total
        var count = counted + missing
        if ratio < 1 { adjustedTotal += target * Double(missing) }
        if rebalanceUnready { count += unready }
        let newRatio = adjustedTotal / (target * Double(count))
        proposal.usageRatio = newRatio
        if isWithinTolerance(newRatio) || (ratio > 1 && newRatio < 1) || (ratio < 1 && newRatio > 1) {
            return done(proposal, current, within: isWithinTolerance(newRatio))
        }
        let replicas = ceilReplicas(adjustedTotal / target)
        if (newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current) {
            return done(proposal, current, within: false)
        }
        return done(proposal, replicas, within: false)
    }

    private func done(_ proposal: MetricProposal, _ replicas: Int32, within: Bool) -> MetricProposal {
        var proposal = proposal
        proposal.available = true
        proposal.proposedReplicas = replicas
        proposal.withinTolerance = within
        return proposal
    }

    private func ceilReplicas(_ value: Double) -> Int32 {
        let rounded = value.rounded(.up)
        guard rounded.isFinite else { return Int32.max }
        return Int32(clamping: Int64(min(max(rounded, 0), Double(Int32.max))))
    }
}
