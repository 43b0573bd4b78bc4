/// Traffic over a simulated day, as a multiple of the baseline: a piecewise-linear curve.
public struct TrafficProfile: Sendable, Hashable {
    /// (seconds since the start, multiple of the baseline), in increasing time.
    public let points: [Point]

    public struct Point: Sendable, Hashable {
        public let seconds: Int
        public let multiplier: Double
        public init(_ seconds: Int, _ multiplier: Double) {
            self.seconds = seconds
            self.multiplier = multiplier
        }
    }

    public init(points: [Point]) {
        precondition(!points.isEmpty, "a traffic profile needs at least one point")
        precondition(zip(points, points.dropFirst()).allSatisfy { $0.seconds < $1.seconds }, "points must be in increasing time")
        self.points = points
    }

    /// The multiple of the baseline at `seconds`, interpolated between points.
    public func multiplier(at seconds: Double) -> Double {
        guard let first = points.first, let last = points.last else { return 1 }
        if seconds <= Double(first.seconds) { return first.multiplier }
        if seconds >= Double(last.seconds) { return last.multiplier }
        // Binary search for the segment holding `seconds`.
        var low = 0
        var high = points.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if Double(points[middle].seconds) <= seconds { low = middle } else { high = middle }
        }
        let a = points[low]
        let b = points[high]
        let fraction = (seconds - Double(a.seconds)) / Double(b.seconds - a.seconds)
        return a.multiplier + (b.multiplier - a.multiplier) * fraction
    }

    public var peakMultiplier: Double { points.map(\.multiplier).max() ?? 1 }
}

/// The scenarios `ebb simulate` knows by name.
public enum BuiltInScenario: String, Sendable, CaseIterable {
    case blackFriday = "black-friday"
    case flashSale = "flash-sale"
    case diurnal
    case doublePeak = "double-peak"
    case week
    case dailyFlash = "daily-flash"

    public static let daySeconds = 24 * 3600

    private static func at(_ hours: Double, _ multiplier: Double) -> TrafficProfile.Point {
        TrafficProfile.Point(Int(hours * 3600), multiplier)
    }

    public var summary: String {
        switch self {
        case .blackFriday: return "baseline, an 8× ramp over 30 min from 08:00, 3 h at peak, decay over 2 h"
        case .flashSale: return "baseline, 10× within 2 min at 12:00 for 20 min"
        case .diurnal: return "a normal week day: quiet night, lunch bump, evening peak at 1.8×"
        case .doublePeak: return "two 5× spikes of 30 min, an hour apart, from 10:00"
        case .dailyFlash: return "seven days, each with a flash sale at 20:00: 5× within 2 min for an hour, each day's height ±20 %"
        case .week: return "seven days with a lunch and an evening peak, each day's heights ±20 %, and an 8× campaign on day 5 from 08:00"
        }
    }

    public var profile: TrafficProfile {
        switch self {
        case .blackFriday:
            return TrafficProfile(points: [Self.at(0, 1), Self.at(8, 1), Self.at(8.5, 8), Self.at(11.5, 8), Self.at(13.5, 1), Self.at(24, 1)])
        case .flashSale:
            return TrafficProfile(points: [
                Self.at(0, 1), Self.at(12, 1), Self.at(12 + 2.0 / 60, 10), Self.at(12 + 22.0 / 60, 10), Self.at(12 + 27.0 / 60, 1), Self.at(24, 1)
            ])
        case .diurnal:
            return TrafficProfile(points: [
                Self.at(0, 0.6), Self.at(4, 0.4), Self.at(9, 1.0), Self.at(12.5, 1.3), Self.at(15, 1.1), Self.at(20.5, 1.8), Self.at(24, 0.6)
            ])
        case .week:
            // Each day's height, fixed so the scenario is the same for every seed (±20 %).
            let heights = [1.0, 0.85, 1.15, 0.95, 1.2, 0.8, 1.05]
            var points: [TrafficProfile.Point] = []
            for (day, height) in heights.enumerated() {
                let base = Double(day) * 24
                if day == 4 {
                    points += [
                        Self.at(base, 0.7), Self.at(base + 4, 0.5), Self.at(base + 8, 1.0), Self.at(base + 8.5, 8), Self.at(base + 11.5, 8),
                        Self.at(base + 13.5, 1.3), Self.at(base + 20.5, 1.8 * height), Self.at(base + 23.5, 0.7)
                    ]
                } else {
                    points += [
                        Self.at(base, 0.7), Self.at(base + 4, 0.5), Self.at(base + 9, 1.0), Self.at(base + 12.5, 1.4 * height),
                        Self.at(base + 15, 1.1), Self.at(base + 20.5, 1.8 * height), Self.at(base + 23.5, 0.7)
                    ]
                }
            }
            points.append(Self.at(7 * 24, 0.7))
            return TrafficProfile(points: points)
        case .dailyFlash:
            // The same heights every seed, as in week (±20 %).
            let heights = [1.0, 0.85, 1.15, 0.95, 1.2, 0.8, 1.05]
            var points: [TrafficProfile.Point] = []
            for (day, height) in heights.enumerated() {
                let base = Double(day) * 24
                points += [
                    Self.at(base, 0.7), Self.at(base + 4, 0.5), Self.at(base + 9, 1.0), Self.at(base + 20, 1.0),
                    Self.at(base + 20 + 2.0 / 60, 5 * height), Self.at(base + 21, 5 * height), Self.at(base + 21 + 5.0 / 60, 1.0),
                    Self.at(base + 23.5, 0.7)
                ]
            }
            points.append(Self.at(7 * 24, 0.7))
            return TrafficProfile(points: points)
        case .doublePeak:
            return TrafficProfile(points: [
                Self.at(0, 1), Self.at(10, 1), Self.at(10 + 5.0 / 60, 5), Self.at(10.5, 5), Self.at(10.5 + 5.0 / 60, 1),
                Self.at(11.5, 1), Self.at(11.5 + 5.0 / 60, 5), Self.at(12, 5), Self.at(12 + 5.0 / 60, 1), Self.at(24, 1)
            ])
        }
    }
}
