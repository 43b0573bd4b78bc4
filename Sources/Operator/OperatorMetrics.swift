import BrokerScaling
import CoreMetrics
import Foundation
import Prometheus

/// The operator's metrics, through swift-metrics into a Prometheus registry that `/metrics`
/// serves. Names follow Prometheus conventions (`ebb_` prefix, `_total` counters, seconds).
public final class OperatorMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map {
            Duration.milliseconds(Int64($0 * 1000))
        }
        self.factory = factory
    }

    func pool(_ pool: String) -> [(String, String)] { [("pool", pool)] }

    /// The values of `ebb_pool_state`'s `state` label.
    static let states = PoolState.allCases.map(\.rawValue)

    public func replicas(pool: String, desired: Int32, current: Int32, ready: Int32) {
        Gauge(label: "ebb_pool_desired_replicas", dimensions: self.pool(pool), factory: factory).record(Double(desired))
        Gauge(label: "ebb_pool_current_replicas", dimensions: self.pool(pool), factory: factory).record(Double(current))
        Gauge(label: "ebb_pool_ready_replicas", dimensions: self.pool(pool), factory: factory).record(Double(ready))
    }

    public func decision(pool: String, direction: String, reason: String) {
        Counter(label: "ebb_decisions_total", dimensions: self.pool(pool) + [("direction", direction), ("reason", reason)], factory: factory)
            .increment()
    }

    public func movesSubmitted(pool: String, _ count: Int) {
        Counter(label: "ebb_partition_moves_submitted_total", dimensions: self.pool(pool), factory: factory).increment(by: count)
    }

    public func movesCompleted(pool: String, _ count: Int) {
        Counter(label: "ebb_partition_moves_completed_total", dimensions: self.pool(pool), factory: factory).increment(by: count)
    }

    public func scaled(pool: String, direction: String) {
        Counter(label: "ebb_scale_events_total", dimensions: self.pool(pool) + [("direction", direction)], factory: factory).increment()
    }

    public func reconcileDuration(pool: String, seconds: Double) {
        Timer(label: "ebb_reconcile_duration_seconds", dimensions: self.pool(pool), factory: factory).recordNanoseconds(Int64(seconds * 1e9))
    }

    public func error(kind: String) {
        Counter(label: "ebb_errors_total", dimensions: [("kind", kind)], factory: factory).increment()
    }

    public func state(pool: String, _ state: String) {
        for candidate in Self.states {
            Gauge(label: "ebb_pool_state", dimensions: self.pool(pool) + [("state", candidate)], factory: factory).record(candidate == state ? 1 : 0)
        }
    }

    /// The pool is gone: its gauges leave the exposition (a gauge of a deleted pool would read as
    /// its last value forever). Its counters stay, as counters of a finished job do.
    public func forget(pool: String) {
        for label in ["ebb_pool_desired_replicas", "ebb_pool_current_replicas", "ebb_pool_ready_replicas"] {
            Gauge(label: label, dimensions: self.pool(pool), factory: factory).destroy()
        }
        for candidate in Self.states {
            Gauge(label: "ebb_pool_state", dimensions: self.pool(pool) + [("state", candidate)], factory: factory).destroy()
        }
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}
