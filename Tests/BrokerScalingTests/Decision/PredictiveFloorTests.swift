import BrokerScaling
import Foundation
import Testing

/// `spec.predictive`: a floor from the pool's own history, raised ahead of a rise that the
/// earlier days had at this time, never a scale-in, explained in the decision.
struct PredictiveFloorTests {
    typealias F = Fixture
    static let mebibyte = F.mebibyte
    /// 2026-11-27T17:00:00Z; every earlier day has a flash sale from 17:05 to 18:00.
    static let now = F.t0

    /// Bytes in at 120 MiB/s a broker's target: 300 MiB/s all day, and `peak` MiB/s from 17:05
    /// to 18:00 on each of the `days` days before today (heights in `heights`, by day ago).
    static func history(days: Int, heights: [Int: Double] = [:], peak: Double = 3000) -> [MetricSample] {
        var samples: [MetricSample] = []
        for minute in stride(from: days * 1440, to: 0, by: -1) {
            let time = now.addingTimeInterval(-Double(minute) * 60)
            let dayAgo = (minute + 1439) / 1440
            let minuteOfDay = (1440 - (minute % 1440)) % 1440  // minutes after 17:00 that day
            let inSale = (5..<60).contains(minuteOfDay)
            let value = inSale ? (heights[dayAgo] ?? peak) : 300
            samples.append(MetricSample(time: time, value: value * mebibyte))
        }
        return samples
    }

    static func spec(_ mode: PredictiveScaling.Mode, leadTime: Int32 = 600) -> BrokerPoolSpec {
        var spec = F.spec(min: 3, max: 64)
        spec.predictive = PredictiveScaling(mode: mode, historyDays: 14, leadTimeSeconds: leadTime)
        return spec
    }

    static func input(_ spec: BrokerPoolSpec, current: Int32 = 3, history: [MetricSample]?, at time: Date = now) -> DecisionInput {
        var input = F.input(spec, current: current, [F.bytesIn(100, brokers: current, at: time)], now: time)
        input.throughputHistory = history
        return input
    }

    @Test func theFloorRisesAheadOfTheRiseTheEarlierDaysHadAtThisTime() throws {
        // 17:00, lead time 600 s: the window 17:00-17:10 held 3000 MiB/s on each earlier day.
        let decision = DecisionEngine.decide(Self.input(Self.spec(.on), history: Self.history(days: 3)))
        let forecast = try #require(decision.forecast)
        #expect(abs(forecast.bytesInPerSecond / Self.mebibyte - 3000) < 0.5)
        #expect(forecast.floor == 25, "3000 MiB/s at 120 MiB/s a broker")
        #expect(decision.desiredReplicas == 25, "the metrics alone ask for 3 (100 MiB/s a broker)")
        #expect(decision.limitedBy?.rule == .forecast)
        #expect(decision.reason.contains("spec.predictive: forecast 2.93 GiB/s within 600 s (median of 3 days at this time)"), "\(decision.reason)")

        // An hour earlier the window holds nothing of the sale: no floor above minReplicas.
        let early = DecisionEngine.decide(Self.input(Self.spec(.on), history: Self.history(days: 3), at: Self.now.addingTimeInterval(-3600)))
        #expect(early.forecast?.floor == 3)
        #expect(early.desiredReplicas == 3)
    }

    @Test func oneCampaignDayDoesNotRaiseTheDaysAfterIt() throws {
        // Yesterday was a one-off 8× campaign (24,000 MiB/s); the four days before had 3000.
        let history = Self.history(days: 5, heights: [1: 24_000])
        let decision = DecisionEngine.decide(Self.input(Self.spec(.on), history: history))
        let forecast = try #require(decision.forecast)
        #expect(forecast.floor == 25, "the median of five days, not yesterday's campaign")
        #expect(forecast.daysUsed == 5)
    }

    @Test func recommendReportsTheFloorAndChangesNothing() throws {
        let decision = DecisionEngine.decide(Self.input(Self.spec(.recommend), history: Self.history(days: 3)))
        let forecast = try #require(decision.forecast)
        #expect(forecast.floor == 25)
        #expect(!forecast.applied)
        #expect(decision.desiredReplicas == 3)
        #expect(decision.reason.contains("spec.predictive Recommend: forecast"), "\(decision.reason)")
        #expect(decision.reason.contains("would hold at least 25 brokers"), "\(decision.reason)")
    }

    @Test func aForecastNeverScalesIn() {
        // 40 brokers carry 4000 MiB/s now and the history says 300 MiB/s: the forecast's floor
        // (3) neither holds the pool nor takes it below what the metrics ask (4000 / 120 = 34).
        var input = F.input(Self.spec(.on), current: 40, [F.bytesIn(100, brokers: 40)])
        input.throughputHistory = Self.history(days: 3, peak: 300)
        let decision = DecisionEngine.decide(input)
        #expect(decision.forecast?.floor == 3)
        #expect(decision.desiredReplicas == 34)
        #expect(decision.limitedBy?.rule != .forecast)

        // And with the forecast above the metrics, it holds: the floor, not a scale-in below it.
        var held = F.input(Self.spec(.on), current: 40, [F.bytesIn(100, brokers: 40)])
        held.throughputHistory = Self.history(days: 3, peak: 4500)
        let holding = DecisionEngine.decide(held)
        #expect(holding.desiredReplicas == 38, "4500 MiB/s at 120 a broker")
        #expect(holding.limitedBy?.rule == .forecast)
    }

    @Test func withoutADayOfHistoryThereIsNoForecast() {
        // Twelve hours of history: no earlier day's window to learn from yet.
        let history = Self.history(days: 1).filter { Self.now.timeIntervalSince($0.time) < 12 * 3600 }
        let decision = DecisionEngine.decide(Self.input(Self.spec(.on), history: history))
        #expect(decision.forecast == nil)
        #expect(decision.desiredReplicas == 3)
    }

    @Test func offWithHistoryForecastsNothing() {
        let decision = DecisionEngine.decide(Self.input(Self.spec(.off), history: Self.history(days: 3)))
        #expect(decision.forecast == nil)
        #expect(decision.desiredReplicas == 3)
    }

    @Test func theValidatorWantsAThroughputMetricAndAKnownTimeZone() {
        var spec = F.spec(
            min: 3, max: 64, metrics: [.lag(group: "shop", target: MetricTarget(type: .averageValue, averageValue: Quantity(number: 500)))])
        spec.predictive = PredictiveScaling(mode: .on, timeZone: "Mars/Olympus")
        let problems = BrokerPoolValidator.problems(in: spec).map { "\($0.path): \($0.message)" }
        #expect(problems.contains { $0.hasPrefix("spec.predictive: a forecast learns from the pool's produce throughput") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("spec.predictive.timeZone: unknown time zone 'Mars/Olympus'") }, "\(problems)")
    }
}
