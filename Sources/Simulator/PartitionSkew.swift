import BrokerScaling

/// How an e-commerce platform's traffic spreads over its partitions: a hot topic
/// (clickstream), a busy one (orders), and hot partitions within each topic (Zipf-like), with
/// seeded jitter. Shared by the campaign and the served world so both carry the same skew.
enum PartitionSkew {
    struct Share {
        var topic: String
        var index: Int32
        /// Share of the cluster's traffic; the shares sum to 1.
        var weight: Double
    }

    static func shares(topics: [String: Int], seed: UInt64) -> [Share] {
        var random = SplitMix(seed: seed)
        var raw: [Share] = []
        for (topic, count) in topics.sorted(by: { $0.key < $1.key }) {
            let topicWeight = topic == "clickstream" ? 3.0 : topic == "orders" ? 1.5 : 1.0
            for index in 0..<count {
                let jitter = 0.8 + 0.4 * Double(random.next() % 1000) / 1000
                raw.append(Share(topic: topic, index: Int32(index), weight: topicWeight * jitter / Double(index % 8 + 1).squareRoot()))
            }
        }
        let total = raw.reduce(0) { $0 + $1.weight }
        return raw.map { Share(topic: $0.topic, index: $0.index, weight: $0.weight / total) }
    }
}
