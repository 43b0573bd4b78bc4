import Foundation

/// The bounds a pool's broker count lives in at one moment: the floor (minReplicas, raised by
/// any open schedule window), never above maxReplicas, and maxReplicas. The one home of the
/// replica clamp: the decision engine, HPA's normalization, the scaling sequence and the
/// unseen-target report all clamp through it.
public struct ReplicaBounds: Sendable, Hashable {
    public let floor: Int32
    /// The schedule that raised the floor above minReplicas, if one did.
    public let floorName: String?
    /// The forecast that raised the floor above minReplicas and every schedule, if one did.
    public let forecast: DemandForecast?
    public let maxReplicas: Int32
    /// Schedules that could not be read (an invalid cron, time zone or time): each named with
    /// its problem. The validator refuses such a spec before a decision, so this is only
    /// non-empty for inputs that skipped it (`ebb decide`); it is reported, never dropped.
    public let scheduleProblems: [String]

    /// With a `forecast` whose floor applies (`spec.predictive.mode: On`), the floor rises to it
    /// like a schedule's.
    public init(spec: BrokerPoolSpec, now: Date, forecast: DemandForecast? = nil) {
        var floor = spec.effectiveMinReplicas
        var floorName: String?
        var problems: [String] = []
        for schedule in spec.schedules ?? [] {
            let window: ScheduleWindow
            do {
                window = try schedule.window()
            } catch {
                problems.append("schedule \(schedule.name): \(error.field): \(error.message)")
                continue
            }
            guard schedule.minReplicas > floor, window.isOpen(at: now) else { continue }
            floor = schedule.minReplicas
            floorName = schedule.name
        }
        var raisedBy: DemandForecast?
        if let forecast, forecast.applied, forecast.floor > floor {
            floor = forecast.floor
            floorName = nil
            raisedBy = forecast
        }
        self.init(floor: floor, floorName: floorName, maxReplicas: spec.maxReplicas, scheduleProblems: problems, forecast: raisedBy)
    }

    public init(floor: Int32, floorName: String? = nil, maxReplicas: Int32, scheduleProblems: [String] = [], forecast: DemandForecast? = nil) {
        self.floor = min(floor, maxReplicas)
        self.floorName = floorName
        self.forecast = forecast
        self.maxReplicas = maxReplicas
        self.scheduleProblems = scheduleProblems
    }

    /// `replicas` within [floor, maxReplicas], and the bound that changed it, if one did.
    public func clamp(_ replicas: Int32) -> (replicas: Int32, limit: Decision.Limit?) {
        if replicas > maxReplicas { return (maxReplicas, maxLimit) }
        if replicas < floor { return (floor, floorLimit) }
        return (replicas, nil)
    }

    /// The limit a count held at the floor carries: the schedule that raised it, or minReplicas.
    public var floorLimit: Decision.Limit {
        if let floorName { return Decision.Limit(.schedule, "schedule \(floorName) (at least \(floor))") }
        if let forecast { return Decision.Limit(.forecast, "spec.predictive: \(forecast.summary)") }
        return Decision.Limit(.minReplicas, "minReplicas \(floor)")
    }

    public var maxLimit: Decision.Limit { Decision.Limit(.maxReplicas, "maxReplicas \(maxReplicas)") }
}
