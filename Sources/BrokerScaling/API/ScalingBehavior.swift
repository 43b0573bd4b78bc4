/// HPA v2's `behavior`, with the same field names, defaults and meaning, plus a per-direction
/// `tolerance` (as in HPA's `HPAScalingRules.tolerance`).
public struct ScalingBehavior: Sendable, Hashable, Codable {
    public var scaleUp: ScalingRules?
    public var scaleDown: ScalingRules?

    public init(scaleUp: ScalingRules? = nil, scaleDown: ScalingRules? = nil) {
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
    }

    /// Scale-up rules with HPA's defaults filled in field by field.
    public var effectiveScaleUp: EffectiveScalingRules {
        EffectiveScalingRules(
            stabilizationWindowSeconds: Int(scaleUp?.stabilizationWindowSeconds ?? 0),
            selectPolicy: scaleUp?.selectPolicy ?? .max,
            policies: scaleUp?.policies ?? [
                ScalingPolicy(type: .percent, value: 100, periodSeconds: 15),
                ScalingPolicy(type: .pods, value: 4, periodSeconds: 15)
            ],
            tolerance: scaleUp?.tolerance?.value ?? ScalingRules.defaultTolerance
        )
    }

    /// Scale-down rules with HPA's defaults filled in field by field.
    public var effectiveScaleDown: EffectiveScalingRules {
        EffectiveScalingRules(
            stabilizationWindowSeconds: Int(scaleDown?.stabilizationWindowSeconds ?? 300),
            selectPolicy: scaleDown?.selectPolicy ?? .max,
            policies: scaleDown?.policies ?? [ScalingPolicy(type: .percent, value: 100, periodSeconds: 15)],
            tolerance: scaleDown?.tolerance?.value ?? ScalingRules.defaultTolerance
        )
    }
}

public struct ScalingRules: Sendable, Hashable, Codable {
    public enum SelectPolicy: String, Sendable, Hashable, Codable, CaseIterable {
        case max = "Max"
        case min = "Min"
        case disabled = "Disabled"
    }

    public static let defaultTolerance = 0.1
    public static let maxStabilizationWindowSeconds: Int32 = 3600

    public var stabilizationWindowSeconds: Int32?
    public var selectPolicy: SelectPolicy?
    public var policies: [ScalingPolicy]?
    public var tolerance: Quantity?

    public init(
        stabilizationWindowSeconds: Int32? = nil, selectPolicy: SelectPolicy? = nil,
        policies: [ScalingPolicy]? = nil, tolerance: Quantity? = nil
    ) {
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.selectPolicy = selectPolicy
        self.policies = policies
        self.tolerance = tolerance
    }
}

public struct ScalingPolicy: Sendable, Hashable, Codable {
    public enum PolicyType: String, Sendable, Hashable, Codable, CaseIterable {
        case pods = "Pods"
        case percent = "Percent"
    }

    public static let maxPeriodSeconds: Int32 = 1800

    public var type: PolicyType
    public var value: Int32
    public var periodSeconds: Int32

    public init(type: PolicyType, value: Int32, periodSeconds: Int32) {
        self.type = type
        self.value = value
        self.periodSeconds = periodSeconds
    }
}

/// Scaling rules with every default applied: what the decision engine works with.
public struct EffectiveScalingRules: Sendable, Hashable {
    public var stabilizationWindowSeconds: Int
    public var selectPolicy: ScalingRules.SelectPolicy
    public var policies: [ScalingPolicy]
    public var tolerance: Double
}
