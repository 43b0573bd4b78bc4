import Foundation

/// What the pool's own history says the next minutes will bring, for `spec.predictive`.
///
/// A seasonal model of the day and the week, small enough to explain in one line: for each of
/// the last `historyDays` days, the highest throughput in the window that starts at this time of
/// that day and lasts `leadTimeSeconds`; the forecast is the median of the days (so that one
/// campaign day does not raise every following day), or of the same weekday's when two weeks or
/// more of history have them and they say more. The floor is the brokers that forecast needs at
/// the pool's per-broker capacity. Pure: time and history are inputs.
public struct DemandForecast: Sendable, Hashable, Codable {
    /// The forecast produce bytes per second, the highest expected within the lead time.
    public var bytesInPerSecond: Double
    /// Brokers the forecast needs at `capacityPerBrokerBytesPerSecond` (rounded up, within maxReplicas).
    public var floor: Int32
    public var capacityPerBrokerBytesPerSecond: Double
    /// How far ahead the floor rises, in seconds.
    public var leadTimeSeconds: Int32
    /// The days whose same window the forecast was taken from.
    public var daysUsed: Int32
    /// "daily" (median of the last days) or "weekly" (median of the same weekday).
    public var model: String
    /// Whether the floor applies (`On`) or is only reported (`Recommend`).
    public var applied: Bool

    /// "forecast 2.9 GiB/s within 300 s (median of 6 days at this time): at least 28 brokers at 105 MiB/s each"
    public var summary: String {
        let source =
            model == "weekly"
            ? "median of \(daysUsed) same weekdays at this time"
            : daysUsed == 1 ? "one earlier day at this time" : "median of \(daysUsed) days at this time"
        return "forecast \(DecisionReason.bytes(bytesInPerSecond))/s within \(leadTimeSeconds) s (\(source)): "
            + "\(applied ? "at least" : "would hold at least") \(floor) brokers at \(DecisionReason.bytes(capacityPerBrokerBytesPerSecond))/s each"
    }

    /// The forecast, or nil when the pool does not predict, has no per-broker capacity, or its
    /// history does not yet hold one earlier day's window.
    static func forecast(spec: BrokerPoolSpec, history: [MetricSample]?, now: Date) -> DemandForecast? {
        guard let predictive = spec.predictive, predictive.effectiveMode != .off, let history, !history.isEmpty,
            let capacity = DemandEstimate.capacityPerBroker(spec)
        else { return nil }
        let lead = TimeInterval(predictive.effectiveLeadTimeSeconds)
        let days = Int(predictive.effectiveHistoryDays)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: predictive.effectiveTimeZone) ?? TimeZone(identifier: "UTC")!
        let sorted = history.filter { $0.value.isFinite && $0.value >= 0 && $0.time < now }.sorted { $0.time < $1.time }

        /// The highest reading in [start, start + lead] (nil: no reading there).
        func peak(daysAgo: Int) -> Double? {
            guard let start = calendar.date(byAdding: .day, value: -daysAgo, to: now) else { return nil }
            let end = start.addingTimeInterval(max(lead, 1))
            var low = 0
            var high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle].time < start { low = middle + 1 } else { high = middle }
            }
            var best: Double?
            var index = low
            while index < sorted.count, sorted[index].time <= end {
                best = max(best ?? 0, sorted[index].value)
                index += 1
            }
            return best
        }
        let daily = (1...max(1, days)).compactMap { peak(daysAgo: $0) }
        guard !daily.isEmpty else { return nil }
        let weekly = stride(from: 7, through: days, by: 7).compactMap { peak(daysAgo: $0) }
        var value = median(daily)
        var model = "daily"
        var used = daily.count
        if weekly.count >= 2, median(weekly) > value {
            value = median(weekly)
            model = "weekly"
            used = weekly.count
        }
        let brokers = (value / capacity.bytesPerSecond).rounded(.up)
        let floor = brokers.isFinite ? Int32(clamping: Int64(min(max(brokers, 0), Double(spec.maxReplicas)))) : spec.maxReplicas
        return DemandForecast(
            bytesInPerSecond: value, floor: floor, capacityPerBrokerBytesPerSecond: capacity.bytesPerSecond,
            leadTimeSeconds: predictive.effectiveLeadTimeSeconds, daysUsed: Int32(used), model: model,
            applied: predictive.effectiveMode == .on)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
