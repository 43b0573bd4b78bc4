/// The producers' side of the simulated world, as applications export it to Prometheus: a
/// counter of the bytes they handed to their Kafka producers, whether the brokers accepted them
/// or the producers refused them. Brokers' counters stop at what they accepted; this one does not.
public enum ProducerMetrics {
    /// The counter's name in the served world's exposition.
    public static let offeredBytes = "producer_offered_bytes_total"
    /// The query a pool puts in `brokerThroughput.offeredQuery` to read it.
    public static let offeredQuery = #"sum(rate(producer_offered_bytes_total{namespace="$namespace"}[1m]))"#
}
