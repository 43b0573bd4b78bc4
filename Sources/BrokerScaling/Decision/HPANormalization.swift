import Foundation

/// The Kubernetes HPA's normalization of a recommendation: stabilization windows, then the rate
/// policies and the bounds, with the same arithmetic and the same reasons.
struct HPANormalization {
    let now: Date
    let current: Int32
    let minReplicas: Int32
    let maxReplicas: Int32
    let scaleUp: EffectiveScalingRules
    let scaleDown: EffectiveScalingRules
    let history: ScalingHistory

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

    /// HPA's `convertDesiredReplicasWithBehaviorRate`. `floorName` names the schedule that raised
    /// the floor above `spec.minReplicas`, if one did.
    func applyRates(_ desired: Int32, floorName: String?) -> Limited {
        if desired > current {
            let (limitReplicas, policy) = scaleUpLimit()
            let rateLimit = max(limitReplicas, current)
            if maxReplicas > rateLimit {
                if desired > rateLimit {
                    let detail = scaleUp.selectPolicy == .disabled
                        ? "scale-up disabled by behavior.scaleUp.selectPolicy"
                        : "policy \(policy.map(describe) ?? "?")"
                    return Limited(replicas: rateLimit, limit: Decision.Limit(scaleUp.selectPolicy == .disabled ? .scalingDisabled : .scaleUpPolicy, detail))
                }
            } else if desired > maxReplicas {
                return Limited(replicas: maxReplicas, limit: Decision.Limit(.maxReplicas, "maxReplicas \(maxReplicas)"))
            }
        } else if desired < current {
            let (limitReplicas, policy) = scaleDownLimit()
            let rateLimit = min(limitReplicas, current)
            if minReplicas < rateLimit {
                if desired < rateLimit {
                    let detail = scaleDown.selectPolicy == .disabled
                        ? "scale-down disabled by behavior.scaleDown.selectPolicy"
                        : "policy \(policy.map(describe) ?? "?")"
                    return Limited(replicas: rateLimit, limit: Decision.Limit(scaleDown.selectPolicy == .disabled ? .scalingDisabled : .scaleDownPolicy, detail))
                }
            } else if desired < minReplicas {
                return Limited(replicas: minReplicas, limit: floorLimit(floorName))
            }
        }
        return Limited(replicas: desired, limit: nil)
    }

    func floorLimit(_ floorName: String?) -> Decision.Limit {
        if let floorName { return Decision.Limit(.schedule, "schedule \(floorName) (at least \(minReplicas))") }
        return Decision.Limit(.minReplicas, "minReplicas \(minReplicas)")
    }

    /// Brokers added (or removed) by scale events within the last `periodSeconds`.
    private func change(within periodSeconds: Int32, up: Bool) -> Int32 {
        let cutoff = now.addingTimeInterval(-Double(periodSeconds))
        return history.scaleEvents.reduce(0) { sum, event in
            guard event.time > cutoff, event.time <= now else { return sum }
            let delta = event.to - event.from
            return sum + (up ? max(delta, 0) : max(-delta, 0))
        }
    }

    private func periodStart(_ policy: ScalingPolicy) -> Int32 {
        current - change(within: policy.periodSeconds, up: true) + change(within: policy.periodSeconds, up: false)
    }

    /// HPA's `calculateScaleUpLimitWithScalingRules`, with the policy that set the limit.
    private func scaleUpLimit() -> (Int32, ScalingPolicy?) {
        guard scaleUp.selectPolicy != .disabled else { return (current, nil) }
        var chosen: (Int32, ScalingPolicy?) = (scaleUp.selectPolicy == .min ? Int32.max : Int32.min, nil)
        for policy in scaleUp.policies {
            let start = periodStart(policy)
            let proposed: Int32 = policy.type == .pods
                ? start + policy.value
                : Int32(clamping: Int64((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up)))
            let better = scaleUp.selectPolicy == .min ? proposed < chosen.0 : proposed > chosen.0
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
            let proposed: Int32 = policy.type == .pods
                ? start - policy.value
                : Int32(clamping: Int64(Double(start) * (1 - Double(policy.value) / 100)))
            let better = scaleDown.selectPolicy == .min ? proposed > chosen.0 : proposed < chosen.0
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
