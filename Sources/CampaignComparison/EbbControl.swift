import BrokerScaling
import Foundation
import KubernetesTypes
import Logging
import NIOConcurrencyHelpers
import Operator
import Resilience
import Simulator

/// Ebb: the operator's own `PoolReconciler`, through ports onto the simulated cluster, on
/// simulated time, reading its metrics through the same pipeline as every other strategy.
final class EbbControl: CampaignControl, @unchecked Sendable {
    var interval = 10.0
    let reconciler: PoolReconciler
    let ports: EbbPorts
    var count = 0

    init(pool: BrokerPool, settings: CampaignSettings, logger: (@Sendable (@escaping @Sendable () -> Date) -> Logger)?) {
        let ports = EbbPorts(pool: pool, settings: settings)
        self.ports = ports
        let start = settings.startDate
        let clock: @Sendable () -> Date = { start.addingTimeInterval(ports.state.withLockedValue { $0.now }) }
        let log = logger?(clock) ?? Logger(label: "ebb-simulate", factory: { _ in SwiftLogNoOpLogHandler() })
        reconciler = PoolReconciler(workloads: ports, kafka: ports, metricSource: ports, logger: log, clock: clock)
    }

    /// The pool `ebb simulate` runs when none is given: what a user starts from.
    static func defaultPool(settings: CampaignSettings) -> BrokerPool {
        var spec = BrokerPoolSpec(
            scaleTargetRef: ScaleTargetReference(name: "automq-broker"), kafka: KafkaConnection(bootstrapServers: ["automq-broker-0:9092"]),
            minReplicas: 3, maxReplicas: 64,
            metrics: [
                // Bytes in, and what the producers tried to send: saturated brokers hide the rest.
                .throughput(
                    .in, perBroker: Quantity(number: settings.brokerCapacityMiBPerSecond * 0.7 * 1_048_576),
                    offeredQuery: ProducerMetrics.instantOfferedQuery),
                .lag(
                    group: settings.consumerGroups.first?.name ?? "shop-consumers",
                    target: MetricTarget(type: .averageValue, averageValue: Quantity(number: 500)))
            ])
        // irate's answer is about one scrape interval old; on a steep ramp its rise is carried
        // forward by that much, so the pool is sized for what the producers send now.
        spec.metrics?[0].brokerThroughput?.offeredReadingAgeSeconds = min(
            Int32(clamping: Int(settings.scrapeIntervalSeconds.rounded(.up))), BrokerThroughputMetric.maxOfferedReadingAgeSeconds)
        // Lag that drains within 5 minutes (consumerLag.catchUpSeconds): HPA's arithmetic
        // on a lag target multiplies the brokers while the new ones start (issue 20).
        spec.metrics?[1].consumerLag?.catchUpSeconds = 300
        spec.pollingIntervalSeconds = 10
        return BrokerPool(metadata: ObjectMeta(name: "shop-events", namespace: "shop", generation: 1), spec: spec)
    }

    func control(_ cluster: inout CampaignCluster, pipeline: MetricPipeline, now: Double, events: inout ScaleEvents) async {
        ports.state.withLockedValue { state in
            state.cluster = cluster
            state.pipeline = pipeline
            state.now = now
            state.events = events
        }
        count += 1
        let pool = ports.state.withLockedValue { $0.pool }
        let after: Double
        do {
            after = try await reconciler.reconcile(pool, reconcileId: String(format: "sim-%06d", count)).inSeconds
        } catch {
            after = Double(pool.spec.effectivePollingIntervalSeconds)
        }
        interval = max(1, after)
        ports.state.withLockedValue { state in
            cluster = state.cluster!
            events = state.events
            state.cluster = nil
            state.pipeline = nil
        }
    }
}

/// The simulated cluster seen as the operator's ports. Broker ids are the ordinals plus the
/// pool's `brokerIdOffset`.
final class EbbPorts: WorkloadPort, KafkaPort, MetricsPort, Sendable {
    struct State: @unchecked Sendable {
        var pool: BrokerPool
        var cluster: CampaignCluster?
        var pipeline: MetricPipeline?
        var now = 0.0
        var events = ScaleEvents()
    }

    let state: NIOLockedValueBox<State>
    let settings: CampaignSettings
    let offset: Int32
    /// Recent readings per metric, as the operator's metric source keeps them.
    private let recent = NIOLockedValueBox<[String: [MetricSample]]>([:])
    /// The bytes-in total once a minute since the start, as Prometheus would keep it, for
    /// `spec.predictive`'s range query.
    private let history = NIOLockedValueBox<[MetricSample]>([])

    init(pool: BrokerPool, settings: CampaignSettings) {
        state = NIOLockedValueBox(State(pool: pool))
        self.settings = settings
        offset = pool.spec.effectiveBrokerIdOffset
    }

    struct Detached: Error {}

    func workload(of pool: BrokerPool) async throws -> WorkloadState {
        try state.withLockedValue { state in
            guard let cluster = state.cluster else { throw Detached() }
            let count = Int32(cluster.brokerCount)
            let pods = (0..<count).map { BrokerPod(ordinal: $0, ready: cluster.isServing($0, at: state.now)) }
            return WorkloadState(replicas: count, pods: count, ready: Int32(pods.filter(\.ready).count), brokerPods: pods)
        }
    }

    func setReplicas(of pool: BrokerPool, to replicas: Int32) async throws {
        state.withLockedValue { state in
            guard var cluster = state.cluster else { return }
            state.events.resize(&cluster, to: Int(replicas), now: state.now, graceful: true)
            state.cluster = cluster
        }
    }

    func writeStatus(of pool: BrokerPool, _ status: BrokerPoolStatus) async throws -> BrokerPool {
        state.withLockedValue { state in
            state.pool.status = status
            return state.pool
        }
    }

    func recordEvent(about pool: BrokerPool, type: String, reason: String, action: String, note: String) async {}

    func snapshot(of pool: BrokerPool) async throws -> ClusterSnapshot {
        try state.withLockedValue { state in
            guard let cluster = state.cluster, let pipeline = state.pipeline else { throw Detached() }
            let view = cluster.view(now: state.now, rates: pipeline.partitionRates(now: state.now))
            let offset = self.offset
            return ClusterSnapshot(
                brokers: view.brokers.map { ClusterView.Broker(id: $0.id + offset, rack: $0.rack) },
                partitions: view.partitions.map {
                    ClusterView.Partition(
                        topic: $0.topic, partition: $0.partition, replicas: $0.replicas.map { $0 + offset }, leader: $0.leader.map { $0 + offset },
                        bytesInPerSecond: $0.bytesInPerSecond)
                },
                reassigning: view.reassigning)
        }
    }

    func submit(_ moves: [PartitionMove], for pool: BrokerPool) async throws -> [String] {
        state.withLockedValue { state in
            guard var cluster = state.cluster else { return moves.map { "\($0.topic)-\($0.partition): detached" } }
            var refused: [String] = []
            for move in moves {
                guard let index = cluster.partitionIndex(topic: move.topic, partition: move.partition), let target = move.to.first,
                    cluster.move([(index, target - offset)], now: state.now) == 0
                else {
                    refused.append("\(move.topic)-\(move.partition): refused")
                    continue
                }
            }
            state.cluster = cluster
            return refused
        }
    }

    func electPreferredLeaders(_ partitions: [String]?, for pool: BrokerPool) async throws {}

    func observe(_ pool: BrokerPool, now: Date, cluster: ClusterSnapshot?) async -> [MetricObservation] {
        let (lagByGroup, partitionsByGroup, throughputIn, throughputOut, cpu, offered) = state.withLockedValue { state in
            let metrics = pool.spec.metrics ?? []
            var lag: [String: Double] = [:]
            var partitions: [String: Int] = [:]
            for metric in metrics {
                if let group = metric.consumerLag?.group, let cluster = state.cluster {
                    lag[group] = cluster.kafkaLag(group: group)
                    partitions[group] = cluster.partitionCount(group: group)
                }
            }
            let pipeline = state.pipeline
            return (
                lag, partitions, pipeline?.totalRate(\.bytesIn, now: state.now), pipeline?.totalRate(\.bytesOut, now: state.now),
                pipeline?.brokerRates(\.cpu, now: state.now) ?? [:],
                pipeline.flatMap { pipeline in
                    // The simulated Prometheus has one producer series; irate reads its last two scrapes.
                    let instant = DemandEstimate.throughputIn(pool.spec)?.brokerThroughput?.offeredQuery?.contains("irate(") == true
                    return instant ? pipeline.instantOfferedRate(now: state.now) : pipeline.offeredRate(now: state.now)
                }
            )
        }
        return (pool.spec.metrics ?? []).map { metric in
            let name = metric.displayName
            switch metric.type {
            case .consumerLag:
                let group = metric.consumerLag?.group ?? ""
                var observation = remember(name, MetricSample(time: now, value: lagByGroup[group] ?? 0))
                observation.partitions = Int32(partitionsByGroup[group] ?? 1)
                return observation
            case .brokerThroughput:
                guard let rate = metric.brokerThroughput?.direction == .out ? throughputOut : throughputIn else {
                    return .failed(name, "Prometheus has fewer than two scrapes in the rate window yet")
                }
                var observation = remember(name, MetricSample(time: now, value: rate.bytesPerSecond))
                observation.reportingBrokers = Int32(rate.brokers)
                if metric.brokerThroughput?.direction != .out {
                    if metric.brokerThroughput?.offeredQuery != nil {
                        // The simulated Prometheus has one producer series: the query reads it (rate or irate).
                        if let offered {
                            let answers = keep(MetricSample(time: now, value: offered), as: name + " offeredQuery")
                            observation.offered = answers.last
                            observation.offeredEarlier = Array(answers.dropLast())
                        } else {
                            observation.offeredError =
                                "Prometheus has fewer than two scrapes of \(ProducerMetrics.offeredBytes) in the rate window yet"
                        }
                    }
                    history.withLockedValue { history in
                        if history.last.map({ now.timeIntervalSince($0.time) >= 60 }) ?? true {
                            history.append(MetricSample(time: now, value: rate.bytesPerSecond))
                        }
                    }
                }
                return observation
            case .cpu:
                return MetricObservation(name: name, pods: cpu.keys.sorted().map { PodReading(utilization: cpu[$0]! * 100) })
            case .prometheus:
                return .failed(name, "ebb simulate does not evaluate custom Prometheus queries; this metric reads as unavailable")
            }
        }
    }

    func throughputHistory(_ pool: BrokerPool, now: Date) async throws -> [MetricSample] {
        let days = Double(pool.spec.predictive?.effectiveHistoryDays ?? PredictiveScaling.defaultHistoryDays)
        return history.withLockedValue { $0.filter { now.timeIntervalSince($0.time) <= days * 86_400 } }
    }

    private func remember(_ name: String, _ sample: MetricSample) -> MetricObservation {
        MetricObservation(name: name, samples: keep(sample, as: name))
    }

    /// Adds a sample to the six kept under `key`, as the operator's metric source keeps them, and
    /// returns them oldest first.
    private func keep(_ sample: MetricSample, as key: String) -> [MetricSample] {
        recent.withLockedValue { recent -> [MetricSample] in
            var list = recent[key] ?? []
            list.append(sample)
            if list.count > 6 { list.removeFirst(list.count - 6) }
            recent[key] = list
            return list
        }
    }

}
