/// The producers' side of the simulated world, as applications export it to Prometheus: a
/// counter of the bytes they handed to their Kafka producers, whether the brokers accepted them
/// or the producers refused them. Brokers' counters stop at what they accepted; this one does not.
public enum ProducerMetrics {
    /// The counter's name in the served world's exposition.
    public static let offeredBytes = "producer_offered_bytes_total"
    /// The query a pool puts in `brokerThroughput.offeredQuery` to read it.
    public static let offeredQuery = #"sum(rate(producer_offered_bytes_total{namespace="$namespace"}[1m]))"#
    /// The same counter over its last two scrapes (`irate`): a steep ramp shows about one scrape
    /// interval late instead of half a minute; `ebb simulate`'s default pool reads this one, with
    /// `offeredReadingAgeSeconds` at the scrape interval.
    public static let instantOfferedQuery = #"sum(irate(producer_offered_bytes_total{namespace="$namespace"}[1m]))"#
}
