import BrokerScaling
import NIOConcurrencyHelpers

/// The Kubernetes world and the Kafka cluster tied together as on a real platform: a broker
/// StatefulSet's ready pods are registered brokers (id = the pool's brokerIdOffset + ordinal),
/// a pod that goes takes its broker with it, and partition moves complete with time. It
/// records every moment a broker left while still holding a partition: the one thing Ebb must
/// never cause.
public final class SimulatedWorld: Sendable {
    public let kubernetes: KubernetesWorld
    public let kafka: SimulatedKafkaCluster
    public let statefulSets: StatefulSetController
    /// Broker StatefulSets whose pods are brokers whether or not a BrokerPool names them yet
    /// (as on a real platform, where brokers register on their own).
    public let brokerSets: [BrokerSet]
    private let lost = NIOLockedValueBox<[String]>([])

    public struct BrokerSet: Sendable, Hashable {
        public var namespace: String
        public var statefulSet: String
        public var brokerIdOffset: Int32

        public init(namespace: String, statefulSet: String, brokerIdOffset: Int32 = 0) {
            self.namespace = namespace
            self.statefulSet = statefulSet
            self.brokerIdOffset = brokerIdOffset
        }
    }

    public init(kubernetes: KubernetesWorld, kafka: SimulatedKafkaCluster, podReadySeconds: Double = 20, brokerSets: [BrokerSet] = []) {
        self.kubernetes = kubernetes
        self.kafka = kafka
        self.statefulSets = StatefulSetController(world: kubernetes, readyAfter: podReadySeconds)
        self.brokerSets = brokerSets
    }

    /// Partitions that were on a broker when it was scaled away (should stay empty; a broker
    /// that crashes while its StatefulSet still wants it is not counted).
    public var violations: [String] { lost.withLockedValue { $0 } }

    /// One step of the world at `now` (seconds on the world's clock).
    public func tick(now: Double) {
        statefulSets.reconcile(now: now)
        syncBrokers()
        kafka.advance(to: now)
    }

    /// Brokers follow the ready pods of every broker StatefulSet: those named in `brokerSets`
    /// and those a BrokerPool targets.
    func syncBrokers() {
        guard let pools = kubernetes.resources.first(where: { $0.group == BrokerPool.group && $0.plural == BrokerPool.plural }),
              let pods = kubernetes.resources.first(where: { $0.group == "" && $0.plural == "pods" }) else { return }
        var sets = Set(brokerSets)
        for pool in kubernetes.list(pools, namespace: nil, selector: FaceLabelSelector(), limit: nil, after: nil).items {
            guard let namespace = pool.value(at: "metadata.namespace")?.string, let target = pool.value(at: "spec.scaleTargetRef.name")?.string else { continue }
            sets.insert(BrokerSet(namespace: namespace, statefulSet: target, brokerIdOffset: Int32(pool.value(at: "spec.brokerIdOffset")?.int ?? 0)))
        }
        var wanted: Set<Int32> = []
        var managed: Set<Int32> = []
        // Brokers whose pod the StatefulSet still wants: if one goes, it crashed (and comes back);
        // only a broker scaled away must have been drained.
        var kept: Set<Int32> = []
        let statefulSets = kubernetes.resources.first { $0.group == "apps" && $0.plural == "statefulsets" }
        for set in sets {
            let (target, offset) = (set.statefulSet, set.brokerIdOffset)
            if let statefulSets, let replicas = (try? kubernetes.get(statefulSets, namespace: set.namespace, name: target))?.value(at: "spec.replicas")?.int {
                for ordinal in 0..<Int32(max(0, replicas)) { kept.insert(offset + ordinal) }
            }
            for pod in kubernetes.list(pods, namespace: set.namespace, selector: FaceLabelSelector(), limit: nil, after: nil).items {
                guard let name = pod.value(at: "metadata.name")?.string, name.hasPrefix("\(target)-"), let ordinal = Int32(name.dropFirst(target.count + 1)) else { continue }
                let id = offset + ordinal
                managed.insert(id)
                if pod.value(at: "status.phase")?.string == "Running" { wanted.insert(id) }
            }
            // Brokers of this set whose pods are gone are managed too (they must leave).
            for id in kafka.brokerIds where id >= offset && id < offset + 10_000 { managed.insert(id) }
        }
        let present = Set(kafka.brokerIds)
        for id in wanted.subtracting(present).sorted() {
            kafka.addBroker(.init(id: id, rack: "rack-\(id % 3)"))
        }
        for id in present.intersection(managed).subtracting(wanted).sorted() {
            let held = kafka.partitions(on: id)
            if !held.isEmpty, !kept.contains(id) {
                lost.withLockedValue { $0 += held.map { "\($0) was on broker \(id) when it went away" } }
            }
            kafka.removeBroker(id)
        }
    }
}
