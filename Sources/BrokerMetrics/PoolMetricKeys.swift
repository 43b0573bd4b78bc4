import KubernetesTypes

/// One series of one metric of one pool: what its recent samples are kept by.
struct PoolMetricKey: Hashable, Sendable {
    enum Series: Hashable, Sendable {
        /// The metric's own reading.
        case value
        /// A BrokerThroughput In metric's offeredQuery answers (of the query as it is now).
        case offered
    }

    var pool: ObjectKey
    var metric: String
    var series = Series.value
}

/// One pool's throughput history over so many days: what a range query's answer is kept by.
struct PoolHistoryKey: Hashable, Sendable {
    var pool: ObjectKey
    var days: Int
}
