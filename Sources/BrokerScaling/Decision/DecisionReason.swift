import Foundation

/// The one line a person reads in the log and in `status.lastDecision.reason`:
/// "scale out 6→9: bytes-in 182 MiB/s per broker vs target 120 MiB/s; limited by policy Percent 50%/60s".
enum DecisionReason {
    static func line(for decision: Decision, spec: BrokerPoolSpec) -> String {
        let from = decision.currentReplicas
        let to = decision.desiredReplicas
        var head: String
        switch decision.direction {
        case .up: head = "scale out \(from)→\(to)"
        case .down: head = "scale in \(from)→\(to)"
        case .none: head = "hold at \(from)"
        }
        if decision.dryRun, decision.direction != .none { head = "dry run, not applied: \(head)" }

        var parts: [String] = []
        if let external = spec.replicas {
            parts.append("spec.replicas is \(external) (driven through the scale subresource)")
        } else if let name = decision.metric, let proposal = decision.proposals.first(where: { $0.metric == name }),
            let metric = spec.metrics?.first(where: { $0.displayName == name })
        {
            var text = describe(proposal, metric)
            if proposal.withinTolerance == true { text += ", within tolerance" }
            if decision.proposals.count > 1 { text += " (highest of \(decision.proposals.count) metrics)" }
            if let catchUp = metric.consumerLag?.catchUpSeconds, let demand = decision.demand {
                text += ", drained within \(catchUp) s; \(demand.summary)"
            }
            parts.append(text)
        } else if (spec.metrics ?? []).isEmpty {
            parts.append("no metrics configured")
        }
        if let limit = decision.limitedBy {
            // What was asked before the limiting stage: the metric's proposal for partition limits,
            // the partition-aware proposal for the later stages.
            let wanted =
                limit.rule == .partitionCount
                ? decision.stages.proposed
                : decision.stages.afterPartitionAwareness ?? decision.stages.proposed
            switch limit.rule {
            case .blind, .fallback, .partialMetrics, .evenSpread:
                parts.append(limit.detail)
            case .paused, .pausedScaleIn, .pausedScaleOut, .reassignmentInProgress, .lagRising, .capacityOnTheWay:
                let target = decision.stages.afterPolicies ?? wanted
                parts.append("\(target.map { "change to \($0) " } ?? "")held: \(limit.detail)")
            default:
                if let wanted, wanted != to {
                    parts.append("wanted \(wanted), limited by \(limit.detail)")
                } else {
                    parts.append("limited by \(limit.detail)")
                }
            }
        }
        if let forecast = decision.forecast, !forecast.applied {
            parts.append("spec.predictive Recommend: \(forecast.summary)")
        }
        return parts.isEmpty ? head : "\(head): \(parts.joined(separator: "; "))"
    }

    static func describe(_ proposal: MetricProposal, _ metric: MetricSpec) -> String {
        guard let value = proposal.value, let target = proposal.target else {
            return "\(proposal.metric) unavailable"
        }
        switch metric.type {
        case .brokerThroughput:
            return "\(proposal.metric) \(bytes(value))/s per broker vs target \(bytes(target))/s"
        case .cpu:
            return "\(proposal.metric) \(number(value))% vs target \(number(target))%"
        case .consumerLag:
            let per = metric.target?.type == .averageValue ? " per partition" : " messages"
            return "\(proposal.metric) \(number(value))\(per) vs target \(number(target))"
        case .prometheus:
            let per = metric.target?.type == .averageValue ? " (target \(number(target)) per broker)" : " vs target \(number(target))"
            return "\(proposal.metric) \(number(value))\(per)"
        }
    }

    static func bytes(_ value: Double) -> String {
        let units: [(Double, String)] = [(1_099_511_627_776, "TiB"), (1_073_741_824, "GiB"), (1_048_576, "MiB"), (1024, "KiB")]
        for (size, unit) in units where value >= size {
            return "\(number(value / size)) \(unit)"
        }
        return "\(number(value)) B"
    }

    /// Up to three significant figures for small numbers, whole numbers with k/M suffixes above.
    static func number(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 10_000_000 { return trimmed(value / 1_000_000, digits: 1) + "M" }
        if magnitude >= 100_000 { return trimmed(value / 1000, digits: 0) + "k" }
        if magnitude >= 100 { return String(Int(value.rounded())) }
        if magnitude >= 10 { return trimmed(value, digits: 1) }
        return trimmed(value, digits: 2)
    }

    static func trimmed(_ value: Double, digits: Int) -> String {
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

extension MetricProposal {
    /// The value as people read it: `182 MiB/s` per broker, `85%`, `4000`.
    public var displayValue: String? { value.map(Self.display(type)) }
    public var displayTarget: String? { target.map(Self.display(type)) }

    static func display(_ type: MetricSpec.MetricType) -> (Double) -> String {
        switch type {
        case .brokerThroughput: return { "\(DecisionReason.bytes($0))/s" }
        case .cpu: return { "\(DecisionReason.number($0))%" }
        case .consumerLag, .prometheus: return DecisionReason.number
        }
    }
}
