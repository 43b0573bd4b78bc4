import BrokerScaling
import NIOConcurrencyHelpers

/// The Kubernetes world and the Kafka cluster tied together as on a real platform: a broker
/// StatefulSet's ready pods are registered brokers (id = the pool's brokerIdOffset + ordinal),
/// and partition moves complete with time. A broker whose pod goes stops serving at once but
/// stays in Metadata until its session times out (`sessionTimeoutSeconds`, 9 s as Kafka's KRaft
/// `broker.session.timeout.ms`), as on a real cluster. Several StatefulSets' brokers may share
/// the cluster (`brokerSets`: a second pool, controller nodes).
///
/// Its invariant, checked at every step: no replica is held by a broker without a running pod,
/// whether or not Metadata still lists it. (A broker whose pod crashed while its StatefulSet
/// still wants it is not counted for the replicas it already held; a replica placed on it is.)
public final class SimulatedWorld: Sendable {
    public let kubernetes: KubernetesWorld
    public let kafka: SimulatedKafkaCluster
    public let statefulSets: StatefulSetController
    /// Broker StatefulSets whose pods are brokers whether or not a BrokerPool names them yet
    /// (as on a real platform, where brokers register on their own).
    public let brokerSets: [BrokerSet]
    /// How long a broker stays registered after its pod is gone, in world seconds.
    public let sessionTimeoutSeconds: Double
    private let lost = NIOLockedValueBox<[String]>([])
    private let seen = NIOLockedValueBox<Set<String>>([])
    /// Registered brokers whose pod is gone, with when it went.
    private let departed = NIOLockedValueBox<[Int32: Double]>([:])

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

    public init(
        kubernetes: KubernetesWorld, kafka: SimulatedKafkaCluster, podReadySeconds: Double = 20, brokerSets: [BrokerSet] = [],
        sessionTimeoutSeconds: Double = 9
    ) {
        self.kubernetes = kubernetes
        self.kafka = kafka
        self.statefulSets = StatefulSetController(world: kubernetes, readyAfter: podReadySeconds)
        self.brokerSets = brokerSets
        self.sessionTimeoutSeconds = sessionTimeoutSeconds
    }

    /// Broken invariants: partitions on a broker when it was scaled away, replicas held by or
    /// placed on a broker without a running pod. Should stay empty.
    public var violations: [String] { lost.withLockedValue { $0 } }

    /// Brokers Metadata lists whose pod is gone (their session has not timed out yet).
    public var lingering: [Int32] { departed.withLockedValue { $0.keys.sorted() } }

    /// One step of the world at `now` (seconds on the world's clock).
    public func tick(now: Double) {
        for refused in statefulSets.reconcile(now: now) { record(refused) }
        let running = syncBrokers(now: now)
        kafka.advance(to: now)
        checkPlacement(running: running)
    }

    /// `spec.replicas` of a StatefulSet; nil when it does not exist (yet, or any more).
    func statefulSetReplicas(_ statefulSets: FaceResource, namespace: String, name: String) -> Int64? {
        do {
            return try kubernetes.get(statefulSets, namespace: namespace, name: name).value(at: "spec.replicas")?.int
        } catch {
            if error.code != 404 { record("cannot read StatefulSet \(namespace)/\(name): \(error.message)") }
            return nil
        }
    }

    func record(_ problem: String) {
        guard seen.withLockedValue({ $0.insert(problem).inserted }) else { return }
        lost.withLockedValue { $0.append(problem) }
    }

    /// What one step saw of the brokers' pods.
    struct Running {
        /// Brokers with a running pod.
        var brokers: Set<Int32> = []
        /// Brokers whose StatefulSet still wants them (a crashed one comes back).
        var kept: Set<Int32> = []
        /// Running brokers of StatefulSets no BrokerPool targets (another team's, controller nodes).
        var unpooled: Set<Int32> = []
    }

    /// Replicas being added by moves in flight (`topic-partition@broker`), as last seen.
    private let inFlight = NIOLockedValueBox<Set<String>>([])

    /// Partitions whose replicas nobody may change (a foreign StatefulSet's topics).
    private let frozen = NIOLockedValueBox<[String: [Int32]]>([:])

    /// From now on, any change to these topics' replicas is a violation.
    public func freeze(topics: Set<String>) {
        let now = kafka.placement.filter { entry in topics.contains { entry.partition.hasPrefix("\($0)-") } }
        frozen.withLockedValue { frozen in for entry in now { frozen[entry.partition] = entry.replicas } }
    }

    /// Every replica on a broker with a running pod; a crashed broker its StatefulSet still
    /// wants may keep what it held (it comes back), but nothing may be placed on it. Nothing is
    /// placed on a broker no pool owns, and frozen partitions do not move.
    func checkPlacement(running: Running) {
        let frozen = frozen.withLockedValue { $0 }
        let placement = kafka.placement
        // A move is judged when it is first seen: onto a broker with no running pod is a
        // violation; a target that crashes while the move runs is not the mover's doing.
        var adding: Set<String> = []
        for entry in placement { for id in entry.adding { adding.insert("\(entry.partition)@\(id)") } }
        let fresh = inFlight.withLockedValue { known in
            defer { known = adding }
            return adding.subtracting(known)
        }
        for (partition, replicas, added, _) in placement {
            for id in added where fresh.contains("\(partition)@\(id)") && !running.brokers.contains(id) {
                record("\(partition) was placed on broker \(id), which has no running pod")
            }
            for id in added where running.unpooled.contains(id) {
                record("\(partition) was placed on broker \(id), which is no pool's")
            }
            if let before = frozen[partition], before != replicas {
                record("\(partition), which is no pool's, was moved from \(before) to \(replicas)")
            }
            for id in replicas where !running.brokers.contains(id) && !running.kept.contains(id) {
                record("\(partition) has a replica on broker \(id), which has no running pod")
            }
        }
    }

    /// Brokers follow the ready pods of every broker StatefulSet: those named in `brokerSets`
    /// and those a BrokerPool targets. Returns the brokers with a running pod, and those whose
    /// StatefulSet still wants them.
    func syncBrokers(now: Double) -> Running {
        guard let pools = kubernetes.resources.first(where: { $0.group == BrokerPool.group && $0.plural == BrokerPool.plural }),
            let pods = kubernetes.resources.first(where: { $0.group == "" && $0.plural == "pods" })
        else { return Running() }
        var sets = Set(brokerSets)
        var pooled: Set<String> = []
        for pool in kubernetes.list(pools, namespace: nil, selector: FaceLabelSelector(), limit: nil, after: nil).items {
            guard let namespace = pool.value(at: "metadata.namespace")?.string, let target = pool.value(at: "spec.scaleTargetRef.name")?.string else {
                continue
            }
            sets.insert(BrokerSet(namespace: namespace, statefulSet: target, brokerIdOffset: Int32(pool.value(at: "spec.brokerIdOffset")?.int ?? 0)))
            pooled.insert("\(namespace)/\(target)")
        }
        var unpooled: Set<Int32> = []
        var wanted: Set<Int32> = []
        var managed: Set<Int32> = []
        // Brokers whose pod the StatefulSet still wants: if one goes, it crashed (and comes back);
        // only a broker scaled away must have been drained.
        var kept: Set<Int32> = []
        let statefulSets = kubernetes.resources.first { $0.group == "apps" && $0.plural == "statefulsets" }
        for set in sets {
            let (target, offset) = (set.statefulSet, set.brokerIdOffset)
            if let statefulSets, let replicas = statefulSetReplicas(statefulSets, namespace: set.namespace, name: target) {
                for ordinal in 0..<Int32(max(0, replicas)) { kept.insert(offset + ordinal) }
            }
            for pod in kubernetes.list(pods, namespace: set.namespace, selector: FaceLabelSelector(), limit: nil, after: nil).items {
                guard let name = pod.value(at: "metadata.name")?.string, name.hasPrefix("\(target)-"),
                    let ordinal = Int32(name.dropFirst(target.count + 1))
                else { continue }
                let id = offset + ordinal
                managed.insert(id)
                if pod.value(at: "status.phase")?.string == "Running" {
                    wanted.insert(id)
                    if !pooled.contains("\(set.namespace)/\(target)") { unpooled.insert(id) }
                }
            }
            // Brokers of this set whose pods are gone are managed too (they must leave).
            for id in kafka.brokerIds where id >= offset && id < offset + 10_000 { managed.insert(id) }
        }
        let present = Set(kafka.brokerIds)
        for id in wanted.subtracting(present).sorted() {
            kafka.addBroker(.init(id: id, rack: "rack-\(id % 3)"))
        }
        for id in wanted.intersection(present) where departed.withLockedValue({ $0.removeValue(forKey: id) }) != nil {
            kafka.setUnreachable(id, false)
        }
        for id in present.intersection(managed).subtracting(wanted).sorted() {
            let gone = departed.withLockedValue { departed -> Double in
                if let since = departed[id] { return since }
                departed[id] = now
                return now
            }
            if gone == now {
                // The pod just went: the broker stops serving; Metadata lists it until its session times out.
                let held = kafka.partitions(on: id)
                if !held.isEmpty, !kept.contains(id) {
                    for partition in held { record("\(partition) was on broker \(id) when it went away") }
                }
                kafka.setUnreachable(id, true)
            }
            if now - gone >= sessionTimeoutSeconds {
                departed.withLockedValue { $0[id] = nil }
                kafka.removeBroker(id)
            }
        }
        return Running(brokers: wanted, kept: kept, unpooled: unpooled)
    }
}
