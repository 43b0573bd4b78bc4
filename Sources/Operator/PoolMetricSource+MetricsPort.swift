import BrokerMetrics

/// The metric source in `BrokerMetrics` is the operator's metrics port as it is.
extension PoolMetricSource: MetricsPort {}
