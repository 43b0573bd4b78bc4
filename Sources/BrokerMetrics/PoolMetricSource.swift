import BrokerScaling
import Foundation
import KafkaAdmin
import KubernetesTypes
import NIOConcurrencyHelpers

/// PromQL for the metrics Prometheus answers, with `$namespace`, `$statefulset` and `$pool`
/// filled in per pool. The defaults read the JMX exporter's names for Apache Kafka and AutoMQ
/// brokers (`kafka_server_brokertopicmetrics_*`) and cAdvisor/kube-state-metrics for CPU.
public struct MetricQueries: Sendable, Hashable {
    /// One series per broker pod: their sum is the pool's throughput, their count the brokers in it
    /// (a pod that has gone still has a series for one rate window).
    public var bytesIn = #"sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesin_total{namespace="$namespace",pod=~"$statefulset-[0-9]+"}[1m]))"#
    public var bytesOut =
        #"sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesout_total{namespace="$namespace",pod=~"$statefulset-[0-9]+"}[1m]))"#
    public var cpu =
        #"100 * sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="$namespace",pod=~"$statefulset-[0-9]+",container!=""}[1m])) / sum by (pod) (kube_pod_container_resource_requests{namespace="$namespace",pod=~"$statefulset-[0-9]+",resource="cpu"})"#

    public init() {}

    func fill(_ template: String, _ pool: BrokerPool) -> String {
        template.replacingOccurrences(of: "$namespace", with: pool.metadata.namespace ?? "default")
            .replacingOccurrences(of: "$statefulset", with: pool.spec.scaleTargetRef.name)
            .replacingOccurrences(of: "$pool", with: pool.metadata.name ?? "")
    }
}

/// The Kafka admin client a pool's consumer lag is read through (the operator's per-pool
/// clients, with the pool's TLS and SASL).
public protocol PoolKafkaClients: Sendable {
    func client(for pool: BrokerPool) async throws -> KafkaAdminClient
}

/// Reads a pool's metrics: throughput, CPU and custom queries from Prometheus; consumer lag
/// from Kafka itself (committed offsets against log end offsets). Keeps the last few readings
/// of each so that the decision sees a trend.
public final class PoolMetricSource: Sendable {
    let prometheus: PrometheusClient?
    let kafka: any PoolKafkaClients
    let queries: MetricQueries
    private let recent = NIOLockedValueBox(Recent())
    /// Recent readings, and which offeredQuery (filled in) the kept `.offered` answers are of.
    struct Recent {
        var samples: [PoolMetricKey: [MetricSample]] = [:]
        var offeredQuery: [PoolMetricKey: String] = [:]
    }
    /// Clients for the `serverAddress`es pools name, made once each.
    private let servers = NIOLockedValueBox<[String: PrometheusClient]>([:])
    /// Per pool: the throughput history for the forecast, and when it was read.
    let histories = NIOLockedValueBox<[PoolHistoryKey: (read: Date, samples: [MetricSample])]>([:])
    static let kept = 6

    let addresses: PrometheusAddressPolicy

    /// `addresses` says which `serverAddress`es pools may name (default: only `prometheus`'s host).
    public init(
        prometheus: PrometheusClient?, kafka: any PoolKafkaClients, queries: MetricQueries = MetricQueries(),
        addresses: PrometheusAddressPolicy? = nil
    ) {
        self.prometheus = prometheus
        self.kafka = kafka
        self.queries = queries
        self.addresses = addresses ?? PrometheusAddressPolicy(operatorURL: prometheus?.url)
    }

    public func observe(_ pool: BrokerPool, now: Date, cluster: ClusterSnapshot?) async -> [MetricObservation] {
        var observations: [MetricObservation] = []
        for metric in pool.spec.metrics ?? [] {
            observations.append(await observe(metric, pool: pool, now: now))
        }
        return observations
    }

    func observe(_ metric: MetricSpec, pool: BrokerPool, now: Date) async -> MetricObservation {
        let name = metric.displayName
        do {
            switch metric.type {
            case .brokerThroughput:
                guard let prometheus else { throw NoPrometheus() }
                let direction = metric.brokerThroughput?.direction ?? .in
                let query = queries.fill(direction == .in ? queries.bytesIn : queries.bytesOut, pool)
                let series = try await prometheus.query(query)
                guard !series.isEmpty else { throw PrometheusError.noData(query: query) }
                guard series.allSatisfy({ $0.value.isFinite && $0.value >= 0 }) else {
                    throw PrometheusError.malformed("a broker's rate is not a number ≥ 0: \(query)")
                }
                var observation = remember(name, pool: pool, MetricSample(time: now, value: series.reduce(0) { $0 + $1.value }))
                observation.reportingBrokers = Int32(clamping: series.count)
                let offeredQuery = direction == .in ? metric.brokerThroughput?.offeredQuery : nil
                let filled = offeredQuery.map { queries.fill($0, pool) }
                if direction == .in { keepOnlyOfferedAnswers(of: name, pool: ObjectKey(pool.metadata), query: filled) }
                if let offeredQuery, let filled {
                    // Read beside bytes in; when it fails the metric stands on bytes in alone, and says why.
                    do {
                        let offered = try await prometheusValue(filled, server: nil)
                        guard offered >= 0 else {
                            throw PrometheusError.malformed("offeredQuery returned \(offered), not a number ≥ 0: \(offeredQuery)")
                        }
                        let key = PoolMetricKey(pool: ObjectKey(pool.metadata), metric: name, series: .offered)
                        let answers = keep(MetricSample(time: now, value: offered), as: key)
                        observation.offered = answers.last
                        observation.offeredEarlier = Array(answers.dropLast())
                    } catch let error as CancellationError {
                        throw error
                    } catch {
                        observation.offeredError = "brokerThroughput.offeredQuery: \(error)"
                    }
                }
                return observation
            case .prometheus:
                guard let query = metric.prometheus?.query else { return .failed(name, "spec.metrics[].prometheus.query is missing") }
                guard let server = metric.prometheus?.serverAddress else {
                    return remember(
                        name, pool: pool, MetricSample(time: now, value: try await prometheusValue(queries.fill(query, pool), server: nil)))
                }
                if let refusal = addresses.refusal(of: server) { return .failed(name, refusal) }
                do {
                    let value = try await prometheusValue(queries.fill(query, pool), server: server)
                    return remember(name, pool: pool, MetricSample(time: now, value: value))
                } catch {
                    return .failed(name, PrometheusAddressPolicy.statusText(error))
                }
            case .cpu:
                guard let prometheus else { throw NoPrometheus() }
                let samples = try await prometheus.query(queries.fill(queries.cpu, pool))
                return MetricObservation(name: name, pods: samples.map { PodReading(utilization: $0.value.isFinite ? $0.value : nil) })
            case .consumerLag:
                guard let lagSpec = metric.consumerLag else { return .failed(name, "spec.metrics[].consumerLag is missing") }
                let client = try await kafka.client(for: pool)
                let lag = try await client.consumerLag(group: lagSpec.group)
                let wanted = lagSpec.topics.map(Set.init)
                let partitions = lag.partitions.filter { wanted == nil || wanted!.contains($0.topic) }
                let total = lag.lag(of: wanted)
                var observation = remember(name, pool: pool, MetricSample(time: now, value: Double(total)))
                observation.partitions = Int32(partitions.count)
                return observation
            }
        } catch {
            return .failed(name, "\(error)")
        }
    }

    struct NoPrometheus: Error, CustomStringConvertible {
        var description: String { "no Prometheus address: start ebb run with --prometheus-url, or set spec.metrics[].prometheus.serverAddress" }
    }

    func prometheusValue(_ query: String, server: String?) async throws -> Double {
        let client: PrometheusClient
        if let server {
            if let known = servers.withLockedValue({ $0[server] }) {
                client = known
            } else {
                client = try PrometheusClient(url: server)
                servers.withLockedValue { $0[server] = client }
            }
        } else if let prometheus {
            client = prometheus
        } else {
            throw NoPrometheus()
        }
        let sample = try await client.value(query)
        guard sample.value.isFinite else { throw PrometheusError.malformed("the query returned \(sample.value): \(query)") }
        return sample.value
    }

    /// The pool is gone: drops its recent readings and its kept history.
    public func forget(_ pool: ObjectKey) async {
        recent.withLockedValue { recent in
            recent.samples = recent.samples.filter { $0.key.pool != pool }
            recent.offeredQuery = recent.offeredQuery.filter { $0.key.pool != pool }
        }
        histories.withLockedValue { histories in histories = histories.filter { $0.key.pool != pool } }
    }

    func remember(_ name: String, pool: BrokerPool, _ sample: MetricSample) -> MetricObservation {
        MetricObservation(name: name, samples: keep(sample, as: PoolMetricKey(pool: ObjectKey(pool.metadata), metric: name)))
    }

    /// Only the answers of the metric's offeredQuery as it is now (`query`, filled in; nil: none)
    /// are kept: an edited or removed query's answers are dropped, so a query that comes back
    /// starts over and edits do not pile up.
    private func keepOnlyOfferedAnswers(of metric: String, pool: ObjectKey, query: String?) {
        let key = PoolMetricKey(pool: pool, metric: metric, series: .offered)
        recent.withLockedValue { recent in
            guard recent.offeredQuery[key] != query else { return }
            recent.offeredQuery[key] = query
            recent.samples[key] = nil
        }
    }

    /// Adds a sample to what is kept under `key` and returns the kept samples, oldest first.
    private func keep(_ sample: MetricSample, as key: PoolMetricKey) -> [MetricSample] {
        recent.withLockedValue { recent -> [MetricSample] in
            var list = recent.samples[key] ?? []
            list.append(sample)
            if list.count > Self.kept { list.removeFirst(list.count - Self.kept) }
            recent.samples[key] = list
            return list
        }
    }
}
