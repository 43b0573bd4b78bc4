import BrokerScaling
import Foundation

/// The parameters of a simulated campaign: the cluster, its traffic's shape over topics and
/// consumer groups, and the metric pipeline every strategy reads through.
public struct CampaignSettings: Sendable, Hashable, Codable {
    /// Produce throughput of the whole cluster at multiplier 1, in MiB/s.
    public var baselineMiBPerSecond: Double = 300
    /// Produce bytes one broker can accept, in MiB/s.
    public var brokerCapacityMiBPerSecond: Double = 150
    /// Fetch bytes one broker can send, in MiB/s. A broker short of either is slow for both.
    public var brokerOutCapacityMiBPerSecond: Double = 300
    /// Seconds from a pod's creation until its broker serves.
    public var podStartSeconds: Double = 60
    /// Seconds a partition does not serve while it moves (AutoMQ: about 1.5 s).
    public var moveSeconds: Double = 1.5
    /// Seconds before a broker that vanished without a graceful shutdown is fenced and its
    /// partitions are failed over (KRaft's broker.session.timeout.ms).
    public var sessionTimeoutSeconds: Double = 9
    /// What the producers can hold for partitions whose leaders do not accept, in MiB: the sum of
    /// their `buffer.memory` (Kafka's default 32 MiB, times 64 producer instances). Beyond it a
    /// producer's `send` blocks and then fails: those records are refused, as a real producer
    /// refuses them, and never flushed later.
    public var producerBufferMiB: Double = 2_048
    /// Seconds a record may wait in a producer for its leader before it fails
    /// (`delivery.timeout.ms`, Kafka's default 120 s).
    public var deliveryTimeoutSeconds: Double = 120
    /// The time-based SLO: consumers more than this many seconds behind the producers break it,
    /// and so does every second in which producers refuse records.
    public var sloSecondsBehind: Double = 30
    /// The message-count SLO, reported beside the time-based one.
    public var lagSLOMessages: Double = 100_000
    /// Average record size, to turn bytes into messages.
    public var recordBytes: Double = 1_024
    /// Simulation step, in seconds: lag is measured after every step.
    public var stepSeconds: Double = 1
    /// How often Prometheus scrapes the brokers' counters.
    public var scrapeIntervalSeconds: Double = 15
    /// The window of `rate(...[window])` every strategy's throughput and CPU readings use.
    public var rateWindowSeconds: Double = 60
    /// AutoMQ keeps one replica per partition: durability is the object store's.
    public var replication = 1
    /// Length of the run in seconds (default: the traffic's last point, at least a day).
    public var durationSeconds: Double?
    /// The time zone the scenario's clock times and the pool's schedules are read in.
    public var timeZone: String = "UTC"
    /// The first simulated midnight, in `timeZone` (default 2026-11-27, Black Friday).
    public var startDay: String = "2026-11-27"
    public var topics: [TopicSpec] = TopicSpec.shop
    public var consumerGroups: [ConsumerGroupSpec] = [ConsumerGroupSpec(name: "shop-consumers")]

    public init() {}

    /// The instant the run starts: midnight of `startDay` in `timeZone`.
    public var startDate: Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let parts = startDay.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else {
            return Date(timeIntervalSince1970: 1_795_737_600)
        }
        return date
    }

    package func duration(of profile: TrafficProfile) -> Double {
        durationSeconds ?? max(3_600, Double(profile.points.last?.seconds ?? 0))
    }
}

/// A topic: its partitions, its share of the cluster's produce traffic, how unevenly its keys
/// spread, and partitions that are hotter still.
public struct TopicSpec: Sendable, Hashable, Codable {
    public var name: String
    public var partitions: Int
    /// Share of the cluster's traffic (relative to the other topics' shares).
    public var share: Double
    /// Key skew: partition i gets traffic in proportion to 1 / ((i mod 8) + 1)^keySkew
    /// (0: even; 0.5: the default, a few hot partitions in every eight).
    public var keySkew: Double = 0.5
    /// Partition index -> extra factor on its traffic.
    public var hotPartitions: [Int: Double] = [:]

    public init(name: String, partitions: Int, share: Double, keySkew: Double = 0.5, hotPartitions: [Int: Double] = [:]) {
        self.name = name
        self.partitions = partitions
        self.share = share
        self.keySkew = keySkew
        self.hotPartitions = hotPartitions
    }

    /// An e-commerce platform's topics: clickstream hot, orders busy.
    public static let shop: [TopicSpec] = [
        TopicSpec(name: "carts", partitions: 12, share: 0.056),
        TopicSpec(name: "clickstream", partitions: 48, share: 0.62),
        TopicSpec(name: "inventory", partitions: 12, share: 0.056),
        TopicSpec(name: "orders", partitions: 24, share: 0.155),
        TopicSpec(name: "payments", partitions: 12, share: 0.056),
        TopicSpec(name: "recommendations", partitions: 12, share: 0.057)
    ]

    /// Every partition's share of the cluster's traffic (summing to 1), with seeded jitter of
    /// ±20 % per partition.
    package static func shares(_ topics: [TopicSpec], seed: UInt64) -> [(topic: String, index: Int32, weight: Double)] {
        var random = SplitMix(seed: Noise.mix(seed, 0x70_70))
        let totalShare = topics.reduce(0) { $0 + max(0, $1.share) }
        var out: [(topic: String, index: Int32, weight: Double)] = []
        for topic in topics {
            var raw: [Double] = []
            for index in 0..<topic.partitions {
                let jitter = 0.8 + 0.4 * Double(random.next() % 1000) / 1000
                raw.append(jitter * (topic.hotPartitions[index] ?? 1) / pow(Double(index % 8 + 1), topic.keySkew))
            }
            let sum = raw.reduce(0, +)
            for (index, weight) in raw.enumerated() {
                out.append((topic.name, Int32(index), sum > 0 && totalShare > 0 ? weight / sum * max(0, topic.share) / totalShare : 0))
            }
        }
        return out
    }
}

/// A consumer group: the topics it reads (nil: all) and how fast it can consume.
public struct ConsumerGroupSpec: Sendable, Hashable, Codable {
    public var name: String
    public var topics: [String]?
    /// MiB/s the whole group can process (nil: as fast as the brokers send).
    public var capacityMiBPerSecond: Double?

    public init(name: String, topics: [String]? = nil, capacityMiBPerSecond: Double? = nil) {
        self.name = name
        self.topics = topics
        self.capacityMiBPerSecond = capacityMiBPerSecond
    }
}
