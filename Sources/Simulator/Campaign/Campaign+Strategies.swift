import BrokerScaling
import Foundation
import Logging
import NIOConcurrencyHelpers
import Operator

/// Midnight of the simulated day (Black Friday 2026), for the timestamps decisions carry.
let campaignDay = Date(timeIntervalSince1970: 1_795_737_600)

extension CampaignCluster {
    /// Adds brokers up to `count` (new ids, serving after the pod start delay), or removes the
    /// highest ids down to it, as a StatefulSet does.
    mutating func resize(to count: Int, now: Double) {
        let ids = brokers.keys.sorted()
        if count > ids.count {
            var next = (ids.last ?? -1) + 1
            for _ in ids.count..<count {
                brokers[next] = now + settings.podStartSeconds
                next += 1
            }
        } else {
            for id in ids.suffix(ids.count - count).reversed() { remove(id, now: now) }
        }
    }
}

/// The stock HPA algorithm on broker CPU, as a Kafka StatefulSet gets it alone: new brokers
/// join empty (nothing moves partitions onto them), and a scale-in deletes the highest pods
/// with whatever they hold.
final class HPAControl: Campaign.Control {
    let settings: CampaignSettings
    let interval = 15.0
    var history = ScalingHistory()
    let spec: BrokerPoolSpec

    init(settings: CampaignSettings) {
        self.settings = settings
        spec = BrokerPoolSpec(
            scaleTargetRef: ScaleTargetReference(name: "broker"), kafka: KafkaConnection(bootstrapServers: ["kafka:9092"]),
            minReplicas: 3, maxReplicas: 64, metrics: [.cpu(utilization: 70)])
    }

    func control(_ cluster: inout CampaignCluster, now: Double, demand: Double, result: inout StrategyResult) async {
        let ids = cluster.brokers.keys.sorted()
        let pods = ids.map { id -> PodReading in
            guard let start = cluster.brokers[id], start <= now else { return PodReading(utilization: nil, ready: false) }
            return PodReading(utilization: cluster.utilization[id] ?? 0)
        }
        let input = DecisionInput(
            now: campaignDay.addingTimeInterval(now), spec: spec, currentReplicas: Int32(ids.count), readyReplicas: Int32(pods.filter(\.ready).count),
            metrics: [MetricObservation(name: "cpu", pods: pods)], history: history)
        let decision = DecisionEngine.decide(input)
        history = history.recording(decision, applied: decision.apply, behavior: spec.effectiveBehavior)
        guard decision.apply, decision.desiredReplicas != Int32(ids.count) else { return }
        if decision.desiredReplicas > Int32(ids.count) {
            result.scaleOuts += 1
        } else {
            result.scaleIns += 1
            result.scaleInTimes.append(now)
        }
        cluster.resize(to: Int(decision.desiredReplicas), now: now)
    }
}

/// Ebb: the operator's own `PoolReconciler`, through ports onto the simulated cluster.
final class EbbControl: Campaign.Control, @unchecked Sendable {
    var interval = 10.0
    let settings: CampaignSettings
    let reconciler: PoolReconciler
    let ports: EbbPorts
    var count = 0

    init(settings: CampaignSettings, logger: Logger) {
        self.settings = settings
        let mebibyte = 1_048_576.0
        var spec = BrokerPoolSpec(
            scaleTargetRef: ScaleTargetReference(name: "automq-broker"), kafka: KafkaConnection(bootstrapServers: ["automq-broker-0:9092"]),
            minReplicas: 3, maxReplicas: 64,
            metrics: [
                .throughput(.in, perBroker: Quantity(number: settings.brokerCapacityMiBPerSecond * 0.7 * mebibyte)),
                .lag(group: "shop-consumers", target: MetricTarget(type: .averageValue, averageValue: Quantity(number: 500))),
            ])
        spec.pollingIntervalSeconds = 10
        let pool = BrokerPool(metadata: ObjectMeta(name: "shop-events", namespace: "shop", generation: 1), spec: spec)
        ports = EbbPorts(pool: pool, settings: settings)
        let ports = self.ports
        reconciler = PoolReconciler(
            workloads: ports, kafka: ports, metricSource: ports, logger: logger,
            clock: { campaignDay.addingTimeInterval(ports.state.withLockedValue { $0.now }) })
    }

    func control(_ cluster: inout CampaignCluster, now: Double, demand: Double, result: inout StrategyResult) async {
        ports.state.withLockedValue { state in
            state.cluster = cluster
            state.now = now
            state.demand = demand
        }
        count += 1
        let pool = ports.state.withLockedValue { $0.pool }
        let after = (try? await reconciler.reconcile(pool, reconcileId: String(format: "sim-%06d", count))) ?? 10
        interval = max(settings.stepSeconds, after)
        ports.state.withLockedValue { state in
            cluster = state.cluster!
            result.scaleOuts += state.scaleOuts
            result.scaleIns += state.scaleIns
            result.scaleInTimes += state.scaleInTimes
            state.scaleOuts = 0
            state.scaleIns = 0
            state.scaleInTimes = []
            state.cluster = nil
        }
    }
}

/// The simulated cluster seen as the operator's ports.
final class EbbPorts: WorkloadPort, KafkaPort, MetricsPort, Sendable {
    struct State: @unchecked Sendable {
        var pool: BrokerPool
        var cluster: CampaignCluster?
        var now = 0.0
        var demand = 0.0
        var scaleOuts = 0
        var scaleIns = 0
        var scaleInTimes: [Double] = []
        /// Recent lag readings, as the operator's metric source keeps them.
        var lagSamples: [MetricSample] = []
    }

    let state: NIOLockedValueBox<State>
    let settings: CampaignSettings

    init(pool: BrokerPool, settings: CampaignSettings) {
        state = NIOLockedValueBox(State(pool: pool))
        self.settings = settings
    }

    struct Detached: Error {}

    func workload(of pool: BrokerPool) async throws -> WorkloadState {
        try state.withLockedValue { state in
            guard let cluster = state.cluster else { throw Detached() }
            let count = Int32(cluster.brokers.count)
            let serving = Set(cluster.serving(at: state.now))
            // Broker ids are the ordinals (the campaign's pool has brokerIdOffset 0).
            let pods = cluster.brokers.keys.sorted().map { BrokerPod(ordinal: $0, ready: serving.contains($0)) }
            return WorkloadState(replicas: count, pods: count, ready: Int32(serving.count), brokerPods: pods)
        }
    }

    func setReplicas(of pool: BrokerPool, to replicas: Int32) async throws {
        state.withLockedValue { state in
            guard var cluster = state.cluster else { return }
            if Int(replicas) > cluster.brokers.count { state.scaleOuts += 1 } else if Int(replicas) < cluster.brokers.count {
                state.scaleIns += 1
                state.scaleInTimes.append(state.now)
            }
            cluster.resize(to: Int(replicas), now: state.now)
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
            guard let cluster = state.cluster else { throw Detached() }
            return cluster.view(now: state.now, demandMiBPerSecond: state.demand)
        }
    }

    func submit(_ moves: [PartitionMove], for pool: BrokerPool) async throws -> [String] {
        state.withLockedValue { state in
            state.cluster?.move(moves, now: state.now)
        }
        return []
    }

    func electPreferredLeaders(_ partitions: [String]?, for pool: BrokerPool) async throws {
        state.withLockedValue { state in
            guard var cluster = state.cluster else { return }
            for index in cluster.partitions.indices { cluster.partitions[index].leader = cluster.partitions[index].replicas.first }
            state.cluster = cluster
        }
    }

    func observe(_ pool: BrokerPool, now: Date, cluster: ClusterSnapshot?) async -> [MetricObservation] {
        state.withLockedValue { state in
            let lag = state.cluster?.lagMessages ?? 0
            state.lagSamples.append(MetricSample(time: now, value: lag))
            if state.lagSamples.count > 6 { state.lagSamples.removeFirst(state.lagSamples.count - 6) }
            let samples = state.lagSamples
            return (pool.spec.metrics ?? []).map { metric in
                switch metric.type {
                case .consumerLag:
                    return MetricObservation(name: metric.displayName, samples: samples, partitions: Int32(state.cluster?.partitions.count ?? 1))
                default:
                    return MetricObservation(name: metric.displayName, samples: [MetricSample(time: now, value: state.demand * 1_048_576)])
                }
            }
        }
    }
}
