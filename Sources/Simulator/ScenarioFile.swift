import BrokerScaling
import Foundation
import Yams

/// A scenario written by a user: a name, a description and the day's traffic as points
/// (`HH:MM` or `HH:MM:SS` and a multiple of the baseline), optionally with its own baseline and broker size.
///
///     name: cyber-monday
///     description: a long plateau after a morning ramp
///     baselineMiBPerSecond: 250
///     points:
///       - {at: "00:00", multiplier: 1}
///       - {at: "09:00", multiplier: 1}
///       - {at: "09:45", multiplier: 5}
///       - {at: "18:00", multiplier: 5}
///       - {at: "20:00", multiplier: 1}
public struct ScenarioFile: Sendable {
    public var name: String
    public var description: String
    public var profile: TrafficProfile
    public var baselineMiBPerSecond: Double?
    public var brokerCapacityMiBPerSecond: Double?

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    struct Document: Decodable {
        struct Point: Decodable {
            var at: String
            var multiplier: Double
        }

        var name: String?
        var description: String?
        var baselineMiBPerSecond: Double?
        var brokerCapacityMiBPerSecond: Double?
        var points: [Point]?
    }

    public static func load(_ path: String) throws(Invalid) -> ScenarioFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Invalid(description: "\(path): cannot be read")
        }
        return try parse(text, source: path)
    }

    /// `HH:MM` or `HH:MM:SS` as seconds since midnight (up to 24:00), or nil.
    public static func secondsOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, (1...2).contains(parts[0].count), parts.dropFirst().allSatisfy({ $0.count == 2 }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]), let seconds = parts.count == 3 ? Int(parts[2]) : 0,
              (0...24).contains(hours), (0..<60).contains(minutes), (0..<60).contains(seconds) else { return nil }
        let total = (hours * 60 + minutes) * 60 + seconds
        return total <= 24 * 3600 ? total : nil
    }

    public static func parse(_ text: String, source: String) throws(Invalid) -> ScenarioFile {
        let document: Document
        do {
            document = try YAMLDecoder().decode(Document.self, from: text)
        } catch let error as DecodingError {
            throw Invalid(description: "\(source): \(DecodingErrorText.describe(error))")
        } catch {
            throw Invalid(description: "\(source): not YAML: \(error)")
        }
        guard let points = document.points, !points.isEmpty else {
            throw Invalid(description: "\(source): points: at least one is needed, e.g. `- {at: \"00:00\", multiplier: 1}`")
        }
        var parsed: [TrafficProfile.Point] = []
        for (index, point) in points.enumerated() {
            guard let seconds = Self.secondsOfDay(point.at) else {
                throw Invalid(description: "\(source): points[\(index)].at: '\(point.at)' is not a time of day as HH:MM or HH:MM:SS (00:00 to 24:00)")
            }
            guard point.multiplier >= 0, point.multiplier.isFinite else {
                throw Invalid(description: "\(source): points[\(index)].multiplier: must be a number >= 0, got \(point.multiplier)")
            }
            if let last = parsed.last, last.seconds >= seconds {
                throw Invalid(description: "\(source): points[\(index)].at: \(point.at) is not after the point before; list the points in time order")
            }
            parsed.append(.init(seconds, point.multiplier))
        }
        if let baseline = document.baselineMiBPerSecond, baseline <= 0 {
            throw Invalid(description: "\(source): baselineMiBPerSecond: must be > 0")
        }
        if let capacity = document.brokerCapacityMiBPerSecond, capacity <= 0 {
            throw Invalid(description: "\(source): brokerCapacityMiBPerSecond: must be > 0")
        }
        let name = document.name ?? URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        return ScenarioFile(
            name: name, description: document.description ?? "a scenario from \(source)", profile: TrafficProfile(points: parsed),
            baselineMiBPerSecond: document.baselineMiBPerSecond, brokerCapacityMiBPerSecond: document.brokerCapacityMiBPerSecond)
    }
}
