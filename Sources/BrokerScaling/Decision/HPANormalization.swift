import Foundation

/// The Kubernetes HPA's normalization of a recommendation: stabilization windows, then the rate
/// policies and the bounds, with the same arithmetic and the same reasons.
struct HPANormalization {
    let now: Date
    let current: Int32
    let bounds: ReplicaBounds
    let scaleUp: EffectiveScalingRules
    let scaleDown: EffectiveScalingRules
    let history: ScalingHistory
    var minReplicas: Int32 { bounds.floor }
    var maxReplicas: Int32 { bounds.maxReplicas }

    /// HPA's `stabilizeRecommendationWithBehaviors`: scaling up follows the lowest recommendation of
    /// the up window, scaling down the highest of the down window; the current count in between.
    func stabilize(_ recommendation: Int32) -> Int32 {
        let upCutoff = now.addingTimeInterval(-Double(scaleUp.stabilizationWindowSeconds))
        let downCutoff = now.addingTimeInterval(-Double(scaleDown.stabilizationWindowSeconds))
        var upRecommendation = recommendation
        var downRecommendation = recommendation
        for past in history.recommendations where past.time <= now {
            if past.time > upCutoff { upRecommendation = min(upRecommendation, past.replicas) }
            if past.time > downCutoff { downRecommendation = max(downRecommendation, past.replicas) }
        }
        var stabilized = current
        if stabilized < upRecommendation { stabilized = upRecommendation }
        if stabilized > downRecommendation { stabilized = downRecommendation }
        return stabilized
    }

    /// The result of the rate policies and bounds, and what limited it.
    struct Limited {
        var replicas: Int32
        var limit: Decision.Limit?
    }

    /// HPA's `convertDesiredReplicasWithBehaviorRate`; the bounds are `bounds`, whose floor may
    /// be a schedule's.
    func applyRates(_ desired: Int32) -> Limited {
        if desired > current {
            let (limitReplicas, policy) = scaleUpLimit()
            let rateLimit = max(limitReplicas, current)
            if maxReplicas > rateLimit {
                if desired > rateLimit {
                    let detail =
                        scaleUp.selectPolicy == .disabled
                        ? "scale-up disabled by behavior.scaleUp.selectPolicy"
                        : "policy \(policy.map(describe) ?? "?")"
                    return Limited(
                        replicas: rateLimit, limit: Decision.Limit(scaleUp.selectPolicy == .disabled ? .scalingDisabled : .scaleUpPolicy, detail))
                }
            } else if desired > maxReplicas {
                return Limited(replicas: maxReplicas, limit: bounds.maxLimit)
            }
        } else if desired < current {
            let (limitReplicas, policy) = scaleDownLimit()
            let rateLimit = min(limitReplicas, current)
            if minReplicas < rateLimit {
                if desired < rateLimit {
                    let detail =
                        scaleDown.selectPolicy == .disabled
                        ? "scale-down disabled by behavior.scaleDown.selectPolicy"
                        : "policy \(policy.map(describe) ?? "?")"
                    return Limited(
                        replicas: rateLimit, limit: Decision.Limit(scaleDown.selectPolicy == .disabled ? .scalingDisabled : .scaleDownPolicy, detail))
                }
            } else if desired < minReplicas {
                return Limited(replicas: minReplicas, limit: bounds.floorLimit)
            }
        }
        return Limited(replicas: desired, limit: nil)
    }

    /// Brokers added (or removed) by scale events within the last `periodSeconds`, summed in
    /// Int64: 100,000 events of up to Int32.max brokers each cannot overflow it.
    private func change(within periodSeconds: Int32, up: Bool) -> Int64 {
        let cutoff = now.addingTimeInterval(-Double(periodSeconds))
        return history.scaleEvents.reduce(Int64(0)) { sum, event in
            guard event.time > cutoff, event.time <= now else { return sum }
            let delta = Int64(event.to) - Int64(event.from)
            return sum + (up ? max(delta, 0) : max(-delta, 0))
        }
    }

    /// The count at the start of the policy's period, in Int64 (a history of any size cannot
    /// overflow it; the limits derived from it saturate at Int32's bounds).
    private func periodStart(_ policy: ScalingPolicy) -> Int64 {
        Int64(current) - change(within: policy.periodSeconds, up: true) + change(within: policy.periodSeconds, up: false)
    }

    /// `value` as an Int32, saturating at its bounds (NaN: 0).
    static func saturating(_ value: Double) -> Int32 {
        guard !value.isNaN else { return 0 }
        if value >= Double(Int32.max) { return Int32.max }
        if value <= Double(Int32.min) { return Int32.min }
        return Int32(value)
    }

    /// HPA's `calculateScaleUpLimitWithScalingRules`, with the policy that set the limit.
    private func scaleUpLimit() -> (Int32, ScalingPolicy?) {
        guard scaleUp.selectPolicy != .disabled else { return (current, nil) }
        var chosen: (Int32, ScalingPolicy?) = (scaleUp.selectPolicy == .min ? Int32.max : Int32.min, nil)
        for policy in scaleUp.policies {
            let start = periodStart(policy)
            let proposed: Int32 =
                policy.type == .pods
                ? Int32(clamping: start + Int64(policy.value))
                : Self.saturating((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
            let better = chosen.1 == nil || (scaleUp.selectPolicy == .min ? proposed < chosen.0 : proposed > chosen.0)
            if better { chosen = (proposed, policy) }
        }
        return chosen
    }

    /// HPA's `calculateScaleDownLimitWithBehaviors`, with the policy that set the limit.
    private func scaleDownLimit() -> (Int32, ScalingPolicy?) {
        guard scaleDown.selectPolicy != .disabled else { return (current, nil) }
        var chosen: (Int32, ScalingPolicy?) = (scaleDown.selectPolicy == .min ? Int32.min : Int32.max, nil)
        for policy in scaleDown.policies {
            let start = periodStart(policy)
            let proposed: Int32 =
                policy.type == .pods
                ? Int32(clamping: start - Int64(policy.value))
                : Self.saturating(Double(start) * (1 - Double(policy.value) / 100))
            let better = chosen.1 == nil || (scaleDown.selectPolicy == .min ? proposed > chosen.0 : proposed < chosen.0)
            if better { chosen = (proposed, policy) }
        }
        return chosen
    }

    private func describe(_ policy: ScalingPolicy) -> String {
        policy.type == .pods
            ? "Pods \(policy.value)/\(policy.periodSeconds)s"
            : "Percent \(policy.value)%/\(policy.periodSeconds)s"
    }
}
