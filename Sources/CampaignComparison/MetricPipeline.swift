import Simulator

/// What Prometheus holds of the brokers' counters, and the `rate(...[window])` every strategy
/// reads: scraped every `scrapeIntervalSeconds`, so a reading lags, and counting only what the
/// brokers accepted, so it tops out at what saturated brokers could take.
struct MetricPipeline {
    struct Scrape {
        var time: Double
        /// Per broker id; nil where the broker was not serving (no target to scrape).
        var bytesIn: [Double?]
        var bytesOut: [Double?]
        var cpu: [Double?]
        /// Per partition: the log end, in bytes.
        var partitionBytes: [Double]
        /// The producers' counter of bytes the applications handed them, sent or refused.
        var offeredBytes: Double
    }

    let scrapeInterval: Double
    let window: Double
    private(set) var scrapes: [Scrape] = []
    private var nextScrape = 0.0

    init(settings: CampaignSettings) {
        scrapeInterval = settings.scrapeIntervalSeconds
        window = settings.rateWindowSeconds
    }

    /// Scrapes the cluster when a scrape is due (after the step that ends at `now`).
    mutating func scrapeIfDue(_ cluster: CampaignCluster, now: Double) {
        guard now >= nextScrape else { return }
        nextScrape = now + scrapeInterval
        let serving = (0..<cluster.brokerCount).map { cluster.isServing(Int32($0), at: now) }
        func pick(_ totals: [Double]) -> [Double?] { serving.indices.map { serving[$0] ? totals[$0] : nil } }
        scrapes.append(
            Scrape(
                time: now, bytesIn: pick(cluster.bytesInTotal), bytesOut: pick(cluster.bytesOutTotal), cpu: pick(cluster.cpuTotal),
                partitionBytes: cluster.partitions.map(\.accepted), offeredBytes: cluster.producedBytes))
        // Keep what the window needs, and one more.
        while scrapes.count > 2, scrapes[1].time <= now - window { scrapes.removeFirst() }
    }

    /// The scrapes `rate(...[window])` evaluated at `now` sees.
    private func inWindow(_ now: Double) -> ArraySlice<Scrape> {
        let first = scrapes.firstIndex { $0.time > now - window && $0.time <= now } ?? scrapes.endIndex
        let last = scrapes.lastIndex { $0.time <= now }.map { $0 + 1 } ?? first
        return scrapes[first..<max(first, last)]
    }

    /// Per-second rate of a per-broker counter, one per broker id that has two samples in the window.
    func brokerRates(_ counter: KeyPath<Scrape, [Double?]>, now: Double) -> [Int32: Double] {
        let window = inWindow(now)
        var out: [Int32: Double] = [:]
        let ids = window.map { $0[keyPath: counter].count }.max() ?? 0
        for id in 0..<ids {
            let samples = window.compactMap { scrape -> (Double, Double)? in
                let values = scrape[keyPath: counter]
                guard id < values.count, let value = values[id] else { return nil }
                return (scrape.time, value)
            }
            guard let first = samples.first, let last = samples.last, last.0 > first.0 else { continue }
            out[Int32(id)] = max(0, last.1 - first.1) / (last.0 - first.0)
        }
        return out
    }

    /// `sum(rate(bytes[window]))` and how many brokers it covers.
    func totalRate(_ counter: KeyPath<Scrape, [Double?]>, now: Double) -> (bytesPerSecond: Double, brokers: Int)? {
        let rates = brokerRates(counter, now: now)
        // Summed in id order: the same seed gives the same bits.
        return rates.isEmpty ? nil : (rates.keys.sorted().reduce(0) { $0 + rates[$1]! }, rates.count)
    }

    /// `sum(rate(producer_offered_bytes_total[window]))`: what producers tried to send, not capped
    /// by what the brokers accepted; nil before the window has two scrapes.
    func offeredRate(now: Double) -> Double? {
        Self.offeredRate(over: inWindow(now))
    }

    /// `sum(irate(producer_offered_bytes_total[window]))`: the same counter over its last two
    /// scrapes in the window, as Prometheus' irate reads it; nil before two scrapes.
    func instantOfferedRate(now: Double) -> Double? {
        Self.offeredRate(over: inWindow(now).suffix(2))
    }

    /// The producers' counter's increase per second from the first to the last of `scrapes`.
    private static func offeredRate(over scrapes: ArraySlice<Scrape>) -> Double? {
        guard let first = scrapes.first, let last = scrapes.last, last.time > first.time else { return nil }
        return max(0, last.offeredBytes - first.offeredBytes) / (last.time - first.time)
    }

    /// Per partition, the produce rate over the window (as offsets show it).
    func partitionRates(now: Double) -> [Double] {
        let window = inWindow(now)
        guard let first = window.first, let last = window.last, last.time > first.time else { return [] }
        return zip(first.partitionBytes, last.partitionBytes).map { max(0, $1 - $0) / (last.time - first.time) }
    }
}
