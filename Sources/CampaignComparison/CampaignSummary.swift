import Foundation
import Simulator

/// A number over the seeds: the median and the range.
public struct SeedStat: Sendable, Hashable, Codable {
    public var median: Double
    public var min: Double
    public var max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        median = sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        min = sorted.first ?? 0
        max = sorted.last ?? 0
    }
}

/// One strategy over every seed, as the table and `--output json` show it.
public struct StrategySummary: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    public var brokerHours: SeedStat
    public var minutesOverSlo: SeedStat
    public var minutesOverMessageSlo: SeedStat
    /// What the producers refused, in GiB.
    public var refusedGiB: SeedStat
    /// Minutes over the SLO on each day (runs longer than a day only).
    public var minutesOverSloByDay: [SeedStat]?
    /// The most brokers at once.
    public var peakBrokers: SeedStat
    public var peakSecondsBehind: SeedStat
    public var p99SecondsBehind: SeedStat
    public var peakLag: SeedStat
    public var p99Lag: SeedStat
    public var scaleOuts: SeedStat
    public var scaleIns: SeedStat
    public var moves: SeedStat
    /// Over the seeds that reached capacity; nil when none did.
    public var secondsToCapacity: SeedStat?
    /// Seeds that never reached capacity.
    public var seedsNeverAtCapacity: Int
    public var minSecondsBetweenScaleIns: Double?
    /// Broken world invariants over every seed (should be 0).
    public var violations: Int
}

extension CampaignReport {
    public var summaries: [StrategySummary] {
        strategies.enumerated().map { index, info in
            let results = runs.compactMap { $0.indices.contains(index) ? $0[index] : nil }
            func stat(_ value: (StrategyResult) -> Double) -> SeedStat { SeedStat(results.map(value)) }
            let reached = results.compactMap(\.secondsToCapacity)
            return StrategySummary(
                name: info.name, description: info.description, brokerHours: stat(\.brokerHours), minutesOverSlo: stat(\.minutesOverSlo),
                minutesOverMessageSlo: stat(\.minutesOverMessageSlo), refusedGiB: stat(\.refusedGiB),
                minutesOverSloByDay: (results.first?.minutesOverSloByDay.count ?? 0) > 1
                    ? (0..<(results.first?.minutesOverSloByDay.count ?? 0)).map { day in
                        stat { $0.minutesOverSloByDay.indices.contains(day) ? $0.minutesOverSloByDay[day] : 0 }
                    }
                    : nil,
                peakBrokers: stat { Double($0.peakBrokers) }, peakSecondsBehind: stat(\.peakSecondsBehind),
                p99SecondsBehind: stat(\.p99SecondsBehind), peakLag: stat(\.peakLag), p99Lag: stat(\.p99Lag),
                scaleOuts: stat { Double($0.scaleOuts) }, scaleIns: stat { Double($0.scaleIns) }, moves: stat { Double($0.moves) },
                secondsToCapacity: reached.isEmpty ? nil : SeedStat(reached), seedsNeverAtCapacity: results.count - reached.count,
                minSecondsBetweenScaleIns: results.compactMap(\.minSecondsBetweenScaleIns).min(),
                violations: results.reduce(0) { $0 + $1.violations.count })
        }
    }
}

extension CampaignReport: Encodable {
    enum CodingKeys: String, CodingKey { case scenario, seeds, durationSeconds, peakMultiplier, settings, eventWindows, strategies }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(seeds, forKey: .seeds)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(peakMultiplier, forKey: .peakMultiplier)
        try container.encode(settings, forKey: .settings)
        try container.encode(eventWindows, forKey: .eventWindows)
        try container.encode(summaries, forKey: .strategies)
    }
}
