import Foundation

/// What the producers offer now, from `brokerThroughput.offeredQuery`'s answers.
///
/// A rate over a window describes the window's middle, so on a steep ramp the answer is what
/// the producers sent some seconds ago (half the range of a `rate()`, about one scrape interval
/// of an `irate()`). With `offeredReadingAgeSeconds`, the newest answer is carried forward along
/// its rising trend by that age. The correction only ever raises the reading, and never by more
/// than the rise seen within the trend window, so it cannot cause a scale-in and cannot run away
/// on two noisy answers.
public struct OfferedReading: Sendable, Hashable, Codable {
    /// The newest answer, in bytes per second.
    public var read: Double
    /// Bytes per second gained each second over the trend window; nil when not rising or when
    /// there is no earlier answer in the window.
    public var risePerSecond: Double?
    /// Seconds the trend is carried forward (`offeredReadingAgeSeconds`).
    public var ageSeconds: Double
    /// What the producers offer now: `read`, raised along the trend.
    public var bytesPerSecond: Double

    /// Whether the answer was carried forward (the producers' rate is rising).
    public var carried: Bool { bytesPerSecond > read }

    /// The reading from an observation, or nil when offeredQuery was not read, or its newest
    /// answer is unusable (not a number ≥ 0, from the future, or older than `maxAge`).
    ///
    /// The rise is the smaller of the trend over `trendWindow` and the last change between two
    /// answers, so a load that rose and now falls is not carried up.
    static func from(
        _ observation: MetricObservation, metric: BrokerThroughputMetric?, now: Date, maxAge: TimeInterval, trendWindow: TimeInterval
    ) -> OfferedReading? {
        guard let newest = observation.offered, usable(newest, now: now), now.timeIntervalSince(newest.time) <= maxAge else { return nil }
        let age = Double(max(0, metric?.offeredReadingAgeSeconds ?? 0))
        var reading = OfferedReading(read: newest.value, risePerSecond: nil, ageSeconds: age, bytesPerSecond: newest.value)
        guard age > 0 else { return reading }
        let earlier = (observation.offeredEarlier ?? [])
            .filter { usable($0, now: now) && $0.time < newest.time && newest.time.timeIntervalSince($0.time) <= trendWindow }
            .sorted { $0.time < $1.time }
        // Prometheus repeats an answer until the next scrape: the last step is the last change.
        guard let oldest = earlier.first, let previous = earlier.last(where: { $0.value != newest.value }),
            let overWindow = DemandEstimate.trend(earlier + [newest], window: trendWindow)
        else { return reading }
        let lastStep = (newest.value - previous.value) / newest.time.timeIntervalSince(previous.time)
        let rise = min(overWindow, lastStep)
        guard rise > 0 else { return reading }
        reading.risePerSecond = rise
        reading.bytesPerSecond = newest.value + min(rise * age, newest.value - oldest.value)
        return reading
    }

    private static func usable(_ sample: MetricSample, now: Date) -> Bool {
        sample.value.isFinite && sample.value >= 0 && sample.time <= now
    }

    /// "read 1.86 GiB/s, rising 45 MiB/s each second, carried 15 s forward (offeredReadingAgeSeconds)";
    /// nil when the answer was not carried.
    var carrySummary: String? {
        guard let rise = risePerSecond, carried else { return nil }
        return "read \(DecisionReason.bytes(read))/s, rising \(DecisionReason.bytes(rise))/s each second, carried "
            + "\(DecisionReason.number(ageSeconds)) s forward (offeredReadingAgeSeconds)"
    }
}
