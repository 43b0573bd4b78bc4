import BrokerScaling
import Foundation
import KubernetesClient
import KubernetesTypes
import Logging
import NIOConcurrencyHelpers
import Operator

/// An in-memory pool world for reconciler tests: a StatefulSet whose pods (and brokers) follow
/// its replicas on `tick()`, moves that complete on `tick()`, traffic that the metrics report,
/// and a record of every write.
final class FakeWorld: WorkloadPort, KafkaPort, MetricsPort, @unchecked Sendable {
    struct State {
        var pool: BrokerPool
        var replicas: Int32
        var pods: Int32
        var partitions: [ClusterView.Partition]
        var inFlight: [PartitionMove] = []
        var kafkaUp = true
        var bytesInPerSecond: Double
        /// What `throughputHistory` answers (nil: it throws, as a port without history does).
        var throughputHistory: [MetricSample]?
        var patches: [Int32] = []
        var submitted: [[PartitionMove]] = []
        var elections = 0
        var events: [String] = []
        var statusWrites = 0
        /// What the API server answers to an Event (nil: it is created), e.g. 403 without the rule.
        var eventRefusal: Int?
        /// The StatefulSet is gone (404).
        var targetMissing = false
        /// Partitions still on a broker when its pod went.
        var violations: [String] = []
        /// Reads of the StatefulSet and its pods so far.
        var workloadReads = 0
        /// From the read after `read` on, the pod of `ordinal` is not ready (it crashed), and the
        /// pods are listed by ordinal.
        var podCrash: (read: Int, ordinal: Int32)?
        /// Pools the reconciler told the ports to forget: "metrics ns/name", "kafka ns/name".
        var forgotten: [String] = []
    }

    let state: NIOLockedValueBox<State>
    let logLines = NIOLockedValueBox<[String]>([])

    init(pool: BrokerPool, brokers: Int32, partitions: Int, bytesInPerSecond: Double) {
        let offset = pool.spec.effectiveBrokerIdOffset
        let list = (0..<partitions).map { index in
            let replicas = [offset + Int32(index % Int(brokers)), offset + Int32((index + 1) % Int(brokers))]
            return ClusterView.Partition(topic: "orders", partition: Int32(index), replicas: replicas, leader: replicas[0])
        }
        var pool = pool
        pool.metadata.resourceVersion = pool.metadata.resourceVersion ?? "1"
        state = NIOLockedValueBox(State(pool: pool, replicas: brokers, pods: brokers, partitions: list, bytesInPerSecond: bytesInPerSecond))
    }

    var pool: BrokerPool { state.withLockedValue { $0.pool } }

    /// The world moves: pods follow replicas, moves complete.
    func tick() {
        state.withLockedValue { state in
            for move in state.inFlight {
                let index = state.partitions.firstIndex { $0.topic == move.topic && $0.partition == move.partition }!
                let leader = state.partitions[index].leader
                state.partitions[index].replicas = move.to
                if let leader, !move.to.contains(leader) { state.partitions[index].leader = move.to.first }
            }
            state.inFlight = []
            if state.replicas < state.pods {
                let offset = state.pool.spec.effectiveBrokerIdOffset
                let leaving = Set((state.replicas..<state.pods).map { offset + $0 })
                for partition in state.partitions where partition.replicas.contains(where: leaving.contains) {
                    state.violations.append("\(partition.name) on a broker that went")
                }
            }
            state.pods = state.replicas
        }
    }

    var logger: Logger {
        let lines = logLines
        var logger = Logger(label: "ebb") { label in JSONLogHandler(label: label) { line in lines.withLockedValue { $0.append(line) } } }
        logger.logLevel = .debug
        return logger
    }

    // MARK: WorkloadPort

    func workload(of pool: BrokerPool) async throws -> WorkloadState {
        try state.withLockedValue { state in
            if state.targetMissing { throw WorkloadNotFound(namespace: "shop", name: pool.spec.scaleTargetRef.name) }
            state.workloadReads += 1
            guard let crash = state.podCrash else {
                return WorkloadState(replicas: state.replicas, pods: state.pods, ready: state.pods, selector: "app=broker")
            }
            let pods = (0..<state.pods).map { BrokerPod(ordinal: $0, ready: !(state.workloadReads > crash.read && $0 == crash.ordinal)) }
            return WorkloadState(
                replicas: state.replicas, pods: state.pods, ready: Int32(pods.filter(\.ready).count), selector: "app=broker", brokerPods: pods)
        }
    }

    func setReplicas(of pool: BrokerPool, to replicas: Int32) async throws {
        state.withLockedValue { state in
            state.replicas = replicas
            state.patches.append(replicas)
        }
    }

    /// As the API server: the write carries the resourceVersion it was read at, and a stale one
    /// is a 409 Conflict; a stored write gets a new resourceVersion.
    func writeStatus(of pool: BrokerPool, _ status: BrokerPoolStatus) async throws -> BrokerPool {
        try state.withLockedValue { state in
            guard pool.metadata.resourceVersion == state.pool.metadata.resourceVersion else {
                throw KubernetesClientError.api(
                    APIError(
                        step: "update status of brokerpool shop/\(pool.metadata.name ?? "")", httpStatus: 409,
                        status: APIStatus(status: "Failure", message: "the object has been modified", reason: "Conflict", code: 409)))
            }
            state.pool.status = status
            state.pool.metadata.resourceVersion = String((Int(state.pool.metadata.resourceVersion ?? "0") ?? 0) + 1)
            state.statusWrites += 1
            return state.pool
        }
    }

    func recordEvent(about pool: BrokerPool, type: String, reason: String, action: String, note: String) async throws {
        try state.withLockedValue { state in
            if let code = state.eventRefusal {
                throw KubernetesClientError.api(
                    APIError(
                        step: "create event shop/\(pool.metadata.name ?? "")", httpStatus: code,
                        status: APIStatus(status: "Failure", message: "events.events.k8s.io is forbidden", reason: "Forbidden", code: code)))
            }
            state.events.append(reason)
        }
    }

    // MARK: KafkaPort

    struct Unreachable: Error, CustomStringConvertible { var description: String { "connection refused" } }

    func snapshot(of pool: BrokerPool) async throws -> ClusterSnapshot {
        try state.withLockedValue { state in
            guard state.kafkaUp else { throw Unreachable() }
            let offset = state.pool.spec.effectiveBrokerIdOffset
            return ClusterSnapshot(
                brokers: (0..<state.pods).map { ClusterView.Broker(id: offset + $0) }, partitions: state.partitions,
                reassigning: Set(state.inFlight.map { "\($0.topic)-\($0.partition)" }))
        }
    }

    func submit(_ moves: [PartitionMove], for pool: BrokerPool) async throws -> [String] {
        state.withLockedValue { state in
            state.inFlight += moves
            state.submitted.append(moves)
        }
        return []
    }

    func electPreferredLeaders(_ partitions: [String]?, for pool: BrokerPool) async throws {
        state.withLockedValue { state in
            state.elections += 1
            for index in state.partitions.indices { state.partitions[index].leader = state.partitions[index].replicas.first }
        }
    }

    func disconnect(_ pool: ObjectKey) async {
        state.withLockedValue { $0.forgotten.append("kafka \(pool)") }
    }

    // MARK: MetricsPort

    func forget(_ pool: ObjectKey) async {
        state.withLockedValue { $0.forgotten.append("metrics \(pool)") }
    }

    func observe(_ pool: BrokerPool, now: Date, cluster: ClusterSnapshot?) async -> [MetricObservation] {
        let bytes = state.withLockedValue { $0.bytesInPerSecond }
        return [MetricObservation(name: "bytes-in", samples: [MetricSample(time: now, value: bytes)])]
    }

    func throughputHistory(_ pool: BrokerPool, now: Date) async throws -> [MetricSample] {
        guard let history = state.withLockedValue({ $0.throughputHistory }) else { throw NoThroughputHistory() }
        return history
    }
}
