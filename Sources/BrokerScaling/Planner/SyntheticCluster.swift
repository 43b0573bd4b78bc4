import Foundation

/// Seeded synthetic clusters for `ebb plan --synthetic`, tests and benchmarks.
public struct SyntheticCluster: Sendable, Hashable {
    public enum Skew: String, Sendable, CaseIterable {
        /// Every partition carries the same load.
        case uniform
        /// Topic volumes follow a Zipf law (topic k carries 1/k^zipfExponent), 1 % of each topic's
        /// partitions are hot (`hotFactor` times the rest), and every partition varies by ±20 %, as
        /// keyed e-commerce traffic does. With the defaults (0.8, 2) on 500-partition topics the
        /// busiest partition carries about half a broker's mean load: brokers sized so that a
        /// partition fits, as operators size them.
        case zipf
        /// Rates are not known: the planner balances partition counts.
        case unknown
    }

    public var brokers = 12
    public var partitions = 240
    /// Brokers added, in state `new`.
    public var add = 0
    /// Brokers draining: the highest ids.
    public var drain = 0
    public var skew = Skew.zipf
    public var racks = 3
    public var replicationFactor = 1
    public var partitionsPerTopic = 500
    public var zipfExponent = 0.8
    public var hotFactor = 2.0
    public var seed: UInt64 = 1
    /// Mean bytes in per broker before the change, per second.
    public var bytesPerBroker = 100.0 * 1_048_576

    public init() {}

    /// What `init(parsing:)` accepts: a cluster that fits in memory and in Kafka's Int32 ids
    /// (a million partitions take about a second to plan; brokers and added brokers each up to
    /// 100,000), and load factors whose products stay finite.
    public static let brokerRange = 1...100_000
    public static let partitionRange = 1...1_000_000
    public static let replicationRange = 1...16
    public static let zipfExponentRange = 0.0...10.0
    public static let hotFactorRange = 0.0...1000.0

    /// Parses `brokers=1000,partitions=100000,add=100,skew=zipf` (also racks, rf, drain, seed,
    /// topicSize, zipfExponent, hotFactor).
    public init(parsing text: String) throws(PartitionPlanner.InputError) {
        self.init()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw PartitionPlanner.InputError(
                    path: "--synthetic", message: "'\(pair)' is not key=value; write brokers=1000,partitions=100000,add=100,skew=zipf")
            }
            let (key, value) = (parts[0], parts[1])
            func number(in range: ClosedRange<Int>) throws(PartitionPlanner.InputError) -> Int {
                guard let parsed = Int(value), range.contains(parsed) else {
                    throw PartitionPlanner.InputError(
                        path: "--synthetic \(key)", message: "'\(value)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
                }
                return parsed
            }
            switch key {
            case "brokers": brokers = try number(in: Self.brokerRange)
            case "partitions": partitions = try number(in: Self.partitionRange)
            case "add": add = try number(in: 0...Self.brokerRange.upperBound)
            case "drain": drain = try number(in: 0...Self.brokerRange.upperBound)
            case "racks": racks = try number(in: 0...Self.brokerRange.upperBound)
            case "rf": replicationFactor = try number(in: Self.replicationRange)
            case "topicSize": partitionsPerTopic = try number(in: Self.partitionRange)
            case "seed":
                guard let parsed = UInt64(value) else {
                    throw PartitionPlanner.InputError(path: "--synthetic seed", message: "'\(value)' is not a whole number from 0 to \(UInt64.max)")
                }
                seed = parsed
            case "zipfExponent", "hotFactor":
                let range = key == "zipfExponent" ? Self.zipfExponentRange : Self.hotFactorRange
                guard let parsed = Double(value), range.contains(parsed) else {
                    throw PartitionPlanner.InputError(
                        path: "--synthetic \(key)", message: "'\(value)' is not a number from \(range.lowerBound) to \(range.upperBound)")
                }
                if key == "zipfExponent" { zipfExponent = parsed } else { hotFactor = parsed }
            case "skew":
                guard let parsed = Skew(rawValue: value) else {
                    throw PartitionPlanner.InputError(
                        path: "--synthetic skew", message: "'\(value)' is not one of \(Skew.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                skew = parsed
            default:
                throw PartitionPlanner.InputError(
                    path: "--synthetic \(key)",
                    message: "unknown key; use brokers, partitions, add, drain, skew, racks, rf, topicSize, seed, zipfExponent, hotFactor")
            }
        }
        guard brokers > 0, partitions > 0, partitionsPerTopic > 0, replicationFactor > 0 else {
            throw PartitionPlanner.InputError(path: "--synthetic", message: "brokers, partitions, topicSize and rf must be > 0")
        }
        guard replicationFactor <= brokers - drain else {
            throw PartitionPlanner.InputError(
                path: "--synthetic rf", message: "rf \(replicationFactor) needs at least as many brokers staying (\(brokers - drain))")
        }
        guard drain < brokers else { throw PartitionPlanner.InputError(path: "--synthetic drain", message: "must be fewer than brokers") }
    }

    /// The cluster: existing brokers hold the partitions as Kafka's creation spreads them (round
    /// robin from a random start per topic), added brokers hold nothing.
    public func make() -> ClusterView {
        var random = SplitMix(seed: seed)
        let total = brokers + add
        let brokerList = (0..<total).map { index in
            ClusterView.Broker(
                id: Int32(index), rack: racks > 0 ? "rack-\(index % racks)" : nil,
                state: index >= brokers ? .new : index >= brokers - drain ? .draining : .active)
        }
        let topics = (partitions + partitionsPerTopic - 1) / partitionsPerTopic
        var weights: [Double] = []
        weights.reserveCapacity(partitions)
        var names: [(String, Int32)] = []
        names.reserveCapacity(partitions)
        for topic in 0..<topics {
            let count = min(partitionsPerTopic, partitions - topic * partitionsPerTopic)
            let topicWeight = skew == .zipf ? 1 / pow(Double(topic + 1), zipfExponent) : 1
            let hot = max(1, count / 100)
            for partition in 0..<count {
                var weight = topicWeight / Double(count)
                if skew == .zipf {
                    weight *= partition < hot ? hotFactor : 1
                    weight *= 0.8 + 0.4 * random.unit()
                }
                weights.append(weight)
                names.append(("topic-\(topic)", Int32(partition)))
            }
        }
        let scale = bytesPerBroker * Double(brokers) / Double(replicationFactor) / weights.reduce(0, +)
        var partitionList: [ClusterView.Partition] = []
        partitionList.reserveCapacity(partitions)
        var start = 0
        for (index, (topic, partition)) in names.enumerated() {
            if partition == 0 { start = Int(random.next() % UInt64(brokers)) }
            // Like Kafka's rack-aware assignment: the first replica round robin, the others on the
            // next brokers of racks not used yet (any next broker once every rack is used).
            let first = (start + Int(partition)) % brokers
            var unique = [Int32(first)]
            var usedRacks: Set<Int> = racks > 0 ? [first % racks] : []
            var candidate = first
            while unique.count < replicationFactor {
                candidate = (candidate + 1) % brokers
                guard !unique.contains(Int32(candidate)) else { continue }
                let rack = racks > 0 ? candidate % racks : -1
                if racks >= replicationFactor, usedRacks.contains(rack) { continue }
                unique.append(Int32(candidate))
                usedRacks.insert(rack)
            }
            let bytesIn = skew == .unknown ? nil : weights[index] * scale
            partitionList.append(
                ClusterView.Partition(
                    topic: topic, partition: partition, replicas: unique, leader: unique[0], bytesInPerSecond: bytesIn,
                    bytesOutPerSecond: bytesIn.map { $0 * 2 }))
        }
        return ClusterView(brokers: brokerList, partitions: partitionList)
    }
}

/// SplitMix64: small, fast and the same on every platform, so a seed replays exactly.
public struct SplitMix: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
