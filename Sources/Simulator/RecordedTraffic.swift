import Foundation
import KubernetesTypes

/// Traffic as it was recorded: the cluster's produce MiB/s at points in time, from a CSV file
/// or a Prometheus range query, turned into a traffic profile from the first point on.
public struct RecordedTraffic: Sendable, Hashable {
    /// (seconds since the first point, MiB/s), in time order.
    public var points: [(seconds: Double, mibPerSecond: Double)]

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.points.elementsEqual(rhs.points) { $0 == $1 } }
    public func hash(into hasher: inout Hasher) {
        for point in points {
            hasher.combine(point.seconds)
            hasher.combine(point.mibPerSecond)
        }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// The most points a recording may have (a week at 10 s).
    public static let maxPoints = 70_000

    /// `time,MiB/s` per line: time as seconds since the start, or an RFC 3339 / ISO 8601 time;
    /// a first line that is not numbers is a header; `#` starts a comment.
    public static func csv(_ path: String) throws(Invalid) -> RecordedTraffic {
        let text: String
        do {
            text = try TextFile.read(path)
        } catch {
            throw Invalid(description: error.description)
        }
        return try csv(text: text, source: path)
    }

    public static func csv(text: String, source: String) throws(Invalid) -> RecordedTraffic {
        var raw: [(Double, Double)] = []
        let iso = ISO8601DateFormatter()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2 else {
                throw Invalid(description: "\(source): line \(number + 1): expected time,MiB/s, got '\(trimmed.prefix(80))'")
            }
            let time = Double(fields[0]) ?? iso.date(from: fields[0])?.timeIntervalSince1970
            guard let time, let value = Double(fields[1]) else {
                if raw.isEmpty, Double(fields[1]) == nil { continue }  // a header
                throw Invalid(
                    description: "\(source): line \(number + 1): '\(fields[0])' is not seconds or an ISO 8601 time, or '\(fields[1])' not a number")
            }
            guard value >= 0, value.isFinite, time.isFinite else {
                throw Invalid(description: "\(source): line \(number + 1): MiB/s must be a number >= 0")
            }
            if let last = raw.last, time <= last.0 {
                throw Invalid(description: "\(source): line \(number + 1): time \(fields[0]) is not after the line before")
            }
            raw.append((time, value))
            guard raw.count <= maxPoints else { throw Invalid(description: "\(source): more than \(maxPoints) points") }
        }
        return try make(raw, source: source)
    }

    /// A Prometheus `query_range` answer: the series' values summed at each time, bytes/s to MiB/s.
    public static func prometheus(_ data: Data, source: String) throws(Invalid) -> RecordedTraffic {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw Invalid(description: "\(source): the answer is not JSON: \(error.localizedDescription)")
        }
        guard let object = parsed as? [String: Any] else { throw Invalid(description: "\(source): the answer is not a JSON object") }
        guard object["status"] as? String == "success", let body = object["data"] as? [String: Any], let result = body["result"] as? [[String: Any]]
        else {
            throw Invalid(description: "\(source): Prometheus answered \(object["status"] ?? "?"): \(object["error"] ?? "no data")")
        }
        var sums: [Double: Double] = [:]
        for series in result {
            for pair in series["values"] as? [[Any]] ?? [] {
                guard pair.count == 2, let time = (pair[0] as? Double) ?? (pair[0] as? Int).map(Double.init), let text = pair[1] as? String,
                    let value = Double(text)
                else {
                    throw Invalid(description: "\(source): a value is not [time, \"number\"]")
                }
                if value.isFinite { sums[time, default: 0] += value / 1_048_576 }
            }
        }
        guard sums.count <= maxPoints else { throw Invalid(description: "\(source): more than \(maxPoints) points; use a coarser step") }
        return try make(sums.sorted { $0.key < $1.key }.map { ($0.key, max(0, $0.value)) }, source: source)
    }

    static func make(_ raw: [(Double, Double)], source: String) throws(Invalid) -> RecordedTraffic {
        guard raw.count >= 2, let first = raw.first?.0 else { throw Invalid(description: "\(source): at least two points are needed") }
        guard raw.last!.0 - first <= 31 * 86_400 else { throw Invalid(description: "\(source): longer than 31 days") }
        guard raw.contains(where: { $0.1 > 0 }) else { throw Invalid(description: "\(source): every value is 0") }
        return RecordedTraffic(points: raw.map { ($0.0 - first, $0.1) })
    }

    /// The median MiB/s: the baseline when none is given.
    public var median: Double {
        let sorted = points.map(\.mibPerSecond).sorted()
        return max(1e-6, sorted[sorted.count / 2])
    }

    /// As multiples of `baseline`, one point per whole second.
    public func profile(baseline: Double) -> TrafficProfile {
        var out: [TrafficProfile.Point] = []
        for point in points {
            let second = Int(point.seconds.rounded())
            if let last = out.last, last.seconds >= second { continue }
            out.append(.init(second, point.mibPerSecond / baseline))
        }
        return TrafficProfile(points: out)
    }
}
