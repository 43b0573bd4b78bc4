import BrokerScaling
import Foundation
import KubernetesTypes
import Yams

/// A scenario written by a user: the cluster (topics, consumer groups, broker capacity, pod
/// start and move times, the session timeout, the metric pipeline, the SLO), a run of one or
/// more days in a time zone, and its traffic as points or a recorded CSV.
///
///     name: cyber-monday
///     description: a long plateau after a morning ramp
///     baselineMiBPerSecond: 250
///     days: 2
///     timeZone: Europe/Berlin
///     topics:
///       - {name: orders, partitions: 24, share: 0.3, keySkew: 0.8, hotPartitions: [{partition: 0, factor: 3}]}
///       - {name: clicks, partitions: 48, share: 0.7}
///     consumerGroups:
///       - {name: shop-consumers, capacityMiBPerSecond: 2000}
///     metrics: {scrapeIntervalSeconds: 30, rateWindowSeconds: 120}
///     points:
///       - {at: "00:00", multiplier: 1}
///       - {day: 2, at: "09:45", multiplier: 5}
///
/// Every key is checked: one the file does not know is an error naming it and its line.
public struct ScenarioFile: Sendable {
    public var name: String
    public var description: String
    public var profile: TrafficProfile
    public var baselineMiBPerSecond: Double?
    public var brokerCapacityMiBPerSecond: Double?
    /// Everything else the file sets, applied over the defaults.
    var document: Document

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    struct Document: Decodable {
        struct Point: Decodable {
            var day: Int?
            var at: String
            var multiplier: Double
        }

        struct Topic: Decodable {
            struct Hot: Decodable {
                var partition: Int
                var factor: Double
            }

            var name: String
            var partitions: Int
            var share: Double?
            var keySkew: Double?
            var hotPartitions: [Hot]?
        }

        struct Group: Decodable {
            var name: String
            var topics: [String]?
            var capacityMiBPerSecond: Double?
        }

        struct Metrics: Decodable {
            var scrapeIntervalSeconds: Double?
            var rateWindowSeconds: Double?
        }

        var name: String?
        var description: String?
        var baselineMiBPerSecond: Double?
        var brokerCapacityMiBPerSecond: Double?
        var brokerOutCapacityMiBPerSecond: Double?
        var podStartSeconds: Double?
        var moveSeconds: Double?
        var sessionTimeoutSeconds: Double?
        var producerBufferMiB: Double?
        var deliveryTimeoutSeconds: Double?
        var sloSecondsBehind: Double?
        var lagSLOMessages: Double?
        var recordBytes: Double?
        var days: Int?
        var timeZone: String?
        var startDay: String?
        var metrics: Metrics?
        var topics: [Topic]?
        var consumerGroups: [Group]?
        var points: [Point]?
        var trafficCSV: String?
    }

    /// The keys each mapping may hold (a nested mapping's path: "topics[]" for a list's items).
    static let knownKeys: [String: Set<String>] = [
        "": [
            "name", "description", "baselineMiBPerSecond", "brokerCapacityMiBPerSecond", "brokerOutCapacityMiBPerSecond", "podStartSeconds",
            "moveSeconds", "sessionTimeoutSeconds", "producerBufferMiB", "deliveryTimeoutSeconds", "sloSecondsBehind", "lagSLOMessages",
            "recordBytes", "days", "timeZone", "startDay",
            "metrics", "topics", "consumerGroups", "points", "trafficCSV"
        ],
        "metrics": ["scrapeIntervalSeconds", "rateWindowSeconds"],
        "topics[]": ["name", "partitions", "share", "keySkew", "hotPartitions"],
        "topics[].hotPartitions[]": ["partition", "factor"],
        "consumerGroups[]": ["name", "topics", "capacityMiBPerSecond"],
        "points[]": ["day", "at", "multiplier"]
    ]

    public static func load(_ path: String) throws(Invalid) -> ScenarioFile {
        let text: String
        do {
            text = try TextFile.read(path)
        } catch {
            throw Invalid(description: error.description)
        }
        return try parse(text, source: path)
    }

    /// `HH:MM` or `HH:MM:SS` as seconds since midnight (up to 24:00), or nil.
    public static func secondsOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, (1...2).contains(parts[0].count), parts.dropFirst().allSatisfy({ $0.count == 2 }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), let seconds = parts.count == 3 ? Int(parts[2]) : 0,
            (0...24).contains(hours), (0..<60).contains(minutes), (0..<60).contains(seconds)
        else { return nil }
        let total = (hours * 60 + minutes) * 60 + seconds
        return total <= 24 * 3600 ? total : nil
    }

    /// Refuses keys the scenario does not know, naming the key, its path and its line.
    static func checkKeys(_ node: Node, path: String, shown: String, source: String) throws(Invalid) {
        switch node {
        case .mapping(let mapping):
            let known = knownKeys[path] ?? []
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                guard known.contains(name) else {
                    let line = key.mark.map { " (line \($0.line))" } ?? ""
                    throw Invalid(
                        description:
                            "\(source): \(shown.isEmpty ? "" : shown + ".")\(name): unknown key\(line); known here: \(known.sorted().joined(separator: ", "))"
                    )
                }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if knownKeys[childPath] != nil || knownKeys[childPath + "[]"] != nil {
                    try checkKeys(value, path: childPath, shown: shown.isEmpty ? name : "\(shown).\(name)", source: source)
                }
            }
        case .sequence(let sequence):
            for (index, item) in sequence.enumerated() {
                try checkKeys(item, path: path + "[]", shown: "\(shown)[\(index)]", source: source)
            }
        default:
            return
        }
    }

    public static func parse(_ text: String, source: String) throws(Invalid) -> ScenarioFile {
        let document: Document
        do {
            if let node = try Yams.compose(yaml: text) { try checkKeys(node, path: "", shown: "", source: source) }
            document = try YAMLDecoder().decode(Document.self, from: text)
        } catch let error as Invalid {
            throw error
        } catch let error as DecodingError {
            throw Invalid(description: "\(source): \(DecodingErrorText.describe(error))")
        } catch {
            throw Invalid(description: "\(source): not YAML: \(error)")
        }
        let days = document.days ?? 1
        guard (1...31).contains(days) else { throw Invalid(description: "\(source): days: must be between 1 and 31, got \(days)") }
        var parsed: [TrafficProfile.Point] = []
        if let csv = document.trafficCSV {
            guard document.points == nil else { throw Invalid(description: "\(source): points and trafficCSV: give one of them") }
            let path = csv.hasPrefix("/") ? csv : URL(fileURLWithPath: source).deletingLastPathComponent().appendingPathComponent(csv).path
            do {
                let recorded = try RecordedTraffic.csv(path)
                parsed = recorded.profile(baseline: document.baselineMiBPerSecond ?? recorded.median).points
            } catch {
                throw Invalid(description: "\(source): trafficCSV: \(error)")
            }
        } else {
            guard let points = document.points, !points.isEmpty else {
                throw Invalid(
                    description: "\(source): points: at least one is needed, e.g. `- {at: \"00:00\", multiplier: 1}` (or trafficCSV: a file)")
            }
            for (index, point) in points.enumerated() {
                guard let seconds = Self.secondsOfDay(point.at) else {
                    throw Invalid(
                        description: "\(source): points[\(index)].at: '\(point.at)' is not a time of day as HH:MM or HH:MM:SS (00:00 to 24:00)")
                }
                let day = point.day ?? 1
                guard (1...days).contains(day) else {
                    throw Invalid(description: "\(source): points[\(index)].day: \(day) is not between 1 and days (\(days))")
                }
                guard point.multiplier >= 0, point.multiplier.isFinite else {
                    throw Invalid(description: "\(source): points[\(index)].multiplier: must be a number >= 0, got \(point.multiplier)")
                }
                let at = (day - 1) * 86_400 + seconds
                if let last = parsed.last, last.seconds >= at {
                    throw Invalid(
                        description: "\(source): points[\(index)].at: \(point.at) is not after the point before; list the points in time order")
                }
                parsed.append(.init(at, point.multiplier))
            }
        }
        for (key, value) in [
            ("baselineMiBPerSecond", document.baselineMiBPerSecond), ("brokerCapacityMiBPerSecond", document.brokerCapacityMiBPerSecond),
            ("brokerOutCapacityMiBPerSecond", document.brokerOutCapacityMiBPerSecond), ("moveSeconds", document.moveSeconds),
            ("producerBufferMiB", document.producerBufferMiB), ("deliveryTimeoutSeconds", document.deliveryTimeoutSeconds),
            ("sloSecondsBehind", document.sloSecondsBehind), ("lagSLOMessages", document.lagSLOMessages), ("recordBytes", document.recordBytes),
            ("metrics.scrapeIntervalSeconds", document.metrics?.scrapeIntervalSeconds),
            ("metrics.rateWindowSeconds", document.metrics?.rateWindowSeconds)
        ] {
            if let value, !(value > 0 && value <= 1e9) {
                throw Invalid(description: "\(source): \(key): must be > 0 (and at most 1e9), got \(value)")
            }
        }
        for (key, value) in [("podStartSeconds", document.podStartSeconds), ("sessionTimeoutSeconds", document.sessionTimeoutSeconds)] {
            if let value, !(0...3_600).contains(value) { throw Invalid(description: "\(source): \(key): must be between 0 and 3600, got \(value)") }
        }
        if let scrape = document.metrics?.scrapeIntervalSeconds, let window = document.metrics?.rateWindowSeconds ?? Optional(60), window < 2 * scrape
        {
            throw Invalid(
                description: "\(source): metrics.rateWindowSeconds: \(window) holds fewer than two scrapes of \(scrape) s; rate() needs two")
        }
        if let zone = document.timeZone, TimeZone(identifier: zone) == nil {
            throw Invalid(description: "\(source): timeZone: unknown time zone '\(zone)'; use an IANA name such as UTC or Europe/Berlin")
        }
        if let day = document.startDay, day.split(separator: "-").compactMap({ Int($0) }).count != 3 {
            throw Invalid(description: "\(source): startDay: '\(day)' is not a date as YYYY-MM-DD")
        }
        var names = Set<String>()
        for (index, topic) in (document.topics ?? []).enumerated() {
            guard (1...10_000).contains(topic.partitions) else {
                throw Invalid(description: "\(source): topics[\(index)].partitions: must be between 1 and 10000")
            }
            guard names.insert(topic.name).inserted else {
                throw Invalid(description: "\(source): topics[\(index)].name: \(topic.name) is listed twice")
            }
            if let share = topic.share, !(share >= 0 && share.isFinite) {
                throw Invalid(description: "\(source): topics[\(index)].share: must be >= 0")
            }
            if let skew = topic.keySkew, !(0...5).contains(skew) {
                throw Invalid(description: "\(source): topics[\(index)].keySkew: must be between 0 and 5")
            }
            for (hotIndex, hot) in (topic.hotPartitions ?? []).enumerated() {
                guard (0..<topic.partitions).contains(hot.partition) else {
                    throw Invalid(
                        description:
                            "\(source): topics[\(index)].hotPartitions[\(hotIndex)].partition: \(hot.partition) is not a partition of \(topic.name) (0 to \(topic.partitions - 1))"
                    )
                }
                guard hot.factor > 0, hot.factor <= 1_000 else {
                    throw Invalid(description: "\(source): topics[\(index)].hotPartitions[\(hotIndex)].factor: must be > 0 and at most 1000")
                }
            }
        }
        if let topics = document.topics, topics.reduce(0, { $0 + $1.partitions }) > 20_000 {
            throw Invalid(description: "\(source): topics: more than 20000 partitions in all")
        }
        if let topics = document.topics, !topics.contains(where: { ($0.share ?? 1) > 0 }) {
            throw Invalid(description: "\(source): topics: at least one needs a share > 0")
        }
        for (index, group) in (document.consumerGroups ?? []).enumerated() {
            if let capacity = group.capacityMiBPerSecond, !(capacity > 0) {
                throw Invalid(description: "\(source): consumerGroups[\(index)].capacityMiBPerSecond: must be > 0")
            }
            for topic in group.topics ?? []
            where !(document.topics.map { $0.contains { $0.name == topic } } ?? TopicSpec.shop.contains { $0.name == topic }) {
                throw Invalid(description: "\(source): consumerGroups[\(index)].topics: \(topic) is not one of the scenario's topics")
            }
        }
        if let groups = document.consumerGroups, groups.isEmpty {
            throw Invalid(description: "\(source): consumerGroups: at least one is needed (or leave it out)")
        }
        let name = document.name ?? URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        return ScenarioFile(
            name: name, description: document.description ?? "a scenario from \(source)", profile: TrafficProfile(points: parsed),
            baselineMiBPerSecond: document.baselineMiBPerSecond, brokerCapacityMiBPerSecond: document.brokerCapacityMiBPerSecond, document: document)
    }

    /// The settings this file changes, over `settings`.
    public func apply(to settings: CampaignSettings) -> CampaignSettings {
        var settings = settings
        let file = document
        settings.baselineMiBPerSecond = file.baselineMiBPerSecond ?? settings.baselineMiBPerSecond
        settings.brokerCapacityMiBPerSecond = file.brokerCapacityMiBPerSecond ?? settings.brokerCapacityMiBPerSecond
        settings.brokerOutCapacityMiBPerSecond = file.brokerOutCapacityMiBPerSecond ?? settings.brokerOutCapacityMiBPerSecond
        settings.podStartSeconds = file.podStartSeconds ?? settings.podStartSeconds
        settings.moveSeconds = file.moveSeconds ?? settings.moveSeconds
        settings.sessionTimeoutSeconds = file.sessionTimeoutSeconds ?? settings.sessionTimeoutSeconds
        settings.producerBufferMiB = file.producerBufferMiB ?? settings.producerBufferMiB
        settings.deliveryTimeoutSeconds = file.deliveryTimeoutSeconds ?? settings.deliveryTimeoutSeconds
        settings.sloSecondsBehind = file.sloSecondsBehind ?? settings.sloSecondsBehind
        settings.lagSLOMessages = file.lagSLOMessages ?? settings.lagSLOMessages
        settings.recordBytes = file.recordBytes ?? settings.recordBytes
        settings.scrapeIntervalSeconds = file.metrics?.scrapeIntervalSeconds ?? settings.scrapeIntervalSeconds
        settings.rateWindowSeconds = file.metrics?.rateWindowSeconds ?? settings.rateWindowSeconds
        settings.timeZone = file.timeZone ?? settings.timeZone
        settings.startDay = file.startDay ?? settings.startDay
        if let days = file.days { settings.durationSeconds = Double(days * 86_400) }
        if let topics = file.topics {
            let even = 1 / Double(topics.count)
            settings.topics = topics.map { topic in
                TopicSpec(
                    name: topic.name, partitions: topic.partitions, share: topic.share ?? even, keySkew: topic.keySkew ?? 0.5,
                    hotPartitions: Dictionary((topic.hotPartitions ?? []).map { ($0.partition, $0.factor) }, uniquingKeysWith: { $1 }))
            }
        }
        if let groups = file.consumerGroups {
            settings.consumerGroups = groups.map {
                ConsumerGroupSpec(name: $0.name, topics: $0.topics, capacityMiBPerSecond: $0.capacityMiBPerSecond)
            }
        }
        return settings
    }
}
