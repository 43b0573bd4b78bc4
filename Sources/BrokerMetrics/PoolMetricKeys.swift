import KubernetesTypes

/// One metric of one pool: what its recent samples are kept by.
struct PoolMetricKey: Hashable, Sendable {
    var pool: ObjectKey
    var metric: String
}

/// One pool's throughput history over so many days: what a range query's answer is kept by.
struct PoolHistoryKey: Hashable, Sendable {
    var pool: ObjectKey
    var days: Int
}
