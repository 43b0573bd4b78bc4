import BrokerScaling
import Foundation
import KubernetesTypes

extension PoolMetricSource {
    /// How often the history is read again from Prometheus: it changes by minutes a day, and a
    /// range query over weeks is not free.
    static let historyRefreshSeconds: TimeInterval = 600

    /// The pool's bytes-in total over `spec.predictive.historyDays`, from a Prometheus range
    /// query of the throughput query's sum, at a step that keeps it under 11,000 points; read
    /// again every ten minutes, kept per pool in between.
    public func throughputHistory(_ pool: BrokerPool, now: Date) async throws -> [MetricSample] {
        guard let prometheus else { throw NoPrometheus() }
        let days = Double(pool.spec.predictive?.effectiveHistoryDays ?? PredictiveScaling.defaultHistoryDays)
        let key = PoolHistoryKey(pool: ObjectKey(pool.metadata), days: Int(days))
        if let cached = histories.withLockedValue({ $0[key] }), now.timeIntervalSince(cached.read) < Self.historyRefreshSeconds, cached.read <= now {
            return cached.samples
        }
        let seconds = days * 86_400
        let step = max(60, Int((seconds / 10_000).rounded(.up)))
        let query = "sum(\(queries.fill(queries.bytesIn, pool)))"
        let series = try await prometheus.range(query, start: now.addingTimeInterval(-seconds), end: now, step: step)
        guard series.count <= 1 else { throw PrometheusError.tooManySeries(query: query, count: series.count) }
        let samples = (series.first ?? []).filter { $0.value.isFinite && $0.value >= 0 }.map { MetricSample(time: $0.timestamp, value: $0.value) }
        histories.withLockedValue { $0[key] = (now, samples) }
        return samples
    }
}
