import BrokerScaling
import Foundation
import NIOConcurrencyHelpers
import ServiceLifecycle

/// `ebb simulate --serve`: one simulated e-commerce platform running in real time (or faster),
/// seen through real faces on loopback: the Kubernetes API (for `ebb run` and kubectl), the
/// Kafka protocol (for Ebb's client and kafka-python), and a Prometheus `/metrics` endpoint
/// with broker metrics named as Kafka's JMX exporter and AutoMQ name them. The broker
/// StatefulSet's ready pods are the Kafka brokers; traffic follows a scenario.
public final class ServedWorld: Service, Sendable {
    public struct Options: Sendable {
        public var kubernetesPort = 0
        public var kafkaPort = 0
        public var metricsPort = 0
        /// World seconds per real second.
        public var speed = 1.0
        /// Where in the scenario the world starts, in seconds.
        public var startSeconds = 0.0
        public var namespace = "shop"
        public var statefulSet = "automq-broker"
        public var group = "shop-consumers"
        /// Brokers at the start (default: enough for the scenario's start at 70 % of capacity, at least 3).
        public var initialBrokers: Int?
        /// Real seconds between two steps of the world.
        public var tickSeconds = 0.1
        /// Probability of an injected fault per request to the Kubernetes face (except
        /// kubectl's) and the Kafka face, and of a broker pod dying per 10 world seconds.
        public var faultRate = 0.0
        /// How long a broker whose pod is gone stays in Metadata (Kafka's KRaft
        /// broker.session.timeout.ms: 9 s), in world seconds.
        public var sessionTimeoutSeconds = 9.0
        /// Brokers outside the pool sharing the cluster: a second StatefulSet, controller nodes.
        public var foreignBrokers: [ForeignBrokers] = []
        /// How long a change takes to reach the Kubernetes face's watches (a real server's
        /// watch cache delays them): a random delay in this range, in seconds; nil for none.
        public var watchDelay: ClosedRange<Double>? = 0.05...0.2
        /// The Kafka face asks for SCRAM-SHA-512; the credentials are in the Secret
        /// `kafka-credentials` of the namespace (keys username, password), and the example
        /// pool names it, so that a pool's author and the operator use Secrets as in production.
        public var kafkaSASL = false

        public init() {}
    }

    public let kubernetes: KubernetesWorld
    public let kafka: SimulatedKafkaCluster
    public let world: SimulatedWorld
    let traffic: LiveTraffic
    let profile: TrafficProfile
    let settings: CampaignSettings
    let options: Options
    let noise: Noise
    let kubernetesServer: KubernetesFaceServer
    let kafkaServer: KafkaFaceServer
    let metricsServer: HTTPFaceServer
    let started: ContinuousClock.Instant
    let observed = NIOLockedValueBox(Observed())
    /// The faults injected (nil: none).
    public let faults: FaultInjector?

    struct Observed {
        var now = 0.0
        var peakLag = 0.0
        var peakBrokers = 0
        var violations: [String] = []
        var nextVanishCheck = 0.0
    }

    /// The addresses a user points tools at.
    public var kubernetesURL: String { kubernetesServer.url }
    public var kafkaAddress: String { kafkaServer.address }
    public var metricsURL: String { "http://127.0.0.1:\(metricsServer.port)/metrics" }

    private init(
        kubernetes: KubernetesWorld, kafka: SimulatedKafkaCluster, world: SimulatedWorld, traffic: LiveTraffic, profile: TrafficProfile,
        settings: CampaignSettings, options: Options, seed: UInt64, servers: (KubernetesFaceServer, KafkaFaceServer, HTTPFaceServer)
    ) {
        self.kubernetes = kubernetes
        self.kafka = kafka
        self.world = world
        self.traffic = traffic
        self.profile = profile
        self.settings = settings
        self.options = options
        noise = Noise(seed: seed)
        faults = options.faultRate > 0 ? FaultInjector(rate: options.faultRate, seed: seed &+ 0xFA17) : nil
        kubernetes.faults = faults
        (kubernetesServer, kafkaServer, metricsServer) = servers
        started = .now
    }

    /// Builds the platform (the CRD, the namespace, the broker StatefulSet with its pods ready,
    /// the topics spread over the brokers, the consumer group) and starts the faces.
    public static func start(profile: TrafficProfile, settings: CampaignSettings, seed: UInt64, options: Options = Options()) async throws
        -> ServedWorld
    {
        let kubernetes = KubernetesWorld(watchDelay: options.watchDelay)
        let kafka = SimulatedKafkaCluster(moveSeconds: settings.moveSeconds)
        let world = SimulatedWorld(
            kubernetes: kubernetes, kafka: kafka, podReadySeconds: settings.podStartSeconds,
            brokerSets: brokerSets(options), sessionTimeoutSeconds: options.sessionTimeoutSeconds)
        let traffic = LiveTraffic(settings: settings, group: options.group, seed: seed)
        let startDemand = settings.baselineMiBPerSecond * profile.multiplier(at: options.startSeconds)
        let brokers = options.initialBrokers ?? max(3, Int((startDemand / (settings.brokerCapacityMiBPerSecond * 0.7)).rounded(.up)))
        try install(kubernetes, options: options, brokers: brokers, seed: seed)
        try installForeign(kubernetes, options: options)
        // The initial pods are ready from the start.
        world.tick(now: options.startSeconds - settings.podStartSeconds - 1)
        world.tick(now: options.startSeconds)
        var placement: [String: [[Int32]]] = [:]
        for (position, share) in TopicSpec.shares(settings.topics, seed: seed).enumerated() {
            placement[share.topic, default: []].append([Int32(position % brokers)])
        }
        for (topic, replicas) in placement { kafka.createTopic(topic, replicas: replicas) }
        createForeignTopics(kafka, world: world, options: options)
        kafka.setMembers(group: options.group, 3)
        traffic.step(kafka, now: options.startSeconds, demandMiBPerSecond: startDemand)

        // kubectl and scripts are the cluster admin (kubectl sends no token over plain HTTP, so
        // a request without one is the admin, on loopback only); `ebb run` with the operator's
        // token is its ServiceAccount and is held to the shipped RBAC.
        let kubernetesServer = try await KubernetesFaceServer.start(
            world: kubernetes, port: options.kubernetesPort, bookmarkInterval: 5,
            users: [Self.operatorToken: .serviceAccount(InstallManifests.namespace, InstallManifests.serviceAccount)])
        let kafkaServer: KafkaFaceServer
        do {
            kafkaServer = try await KafkaFaceServer.start(router: kafka.router(), port: options.kafkaPort)
        } catch {
            await kubernetesServer.stop()
            throw error
        }
        kafka.advertise(host: "127.0.0.1", port: kafkaServer.port)
        let box = NIOLockedValueBox<ServedWorld?>(nil)
        let metricsServer: HTTPFaceServer
        do {
            metricsServer = try await HTTPFaceServer.start(port: options.metricsPort) { path in
                guard let served = box.withLockedValue({ $0 }) else { return (503, "text/plain", "starting\n") }
                switch path {
                case "/metrics": return (200, "text/plain; version=0.0.4", served.exposition())
                case "/world":
                    do {
                        return (200, "application/json", try served.worldJSON())
                    } catch {
                        return (500, "text/plain", "cannot encode the world's state: \(error)\n")
                    }
                default: return (404, "text/plain", "not found: try /metrics or /world\n")
                }
            }
        } catch {
            await kubernetesServer.stop()
            await kafkaServer.stop()
            throw error
        }
        let served = ServedWorld(
            kubernetes: kubernetes, kafka: kafka, world: world, traffic: traffic, profile: profile, settings: settings, options: options, seed: seed,
            servers: (kubernetesServer, kafkaServer, metricsServer))
        kafkaServer.router.faults = served.faults
        if options.kafkaSASL {
            kafkaServer.router.requireSASL(try KafkaFaceSASL(mechanisms: [.scramSHA512], users: [Self.kafkaUser: Self.kafkaPassword(seed: seed)]))
        }
        box.withLockedValue { $0 = served }
        served.observed.withLockedValue { $0.now = options.startSeconds }
        return served
    }

    /// The Kafka user of a world with SASL, its password, and the Secret that holds both.
    public static let kafkaUser = "ebb"
    public static let kafkaCredentialsSecret = "kafka-credentials"
    /// The pool of the served world; its StatefulSet and its Secret name it in `ebb.io/pools`.
    public static let poolName = "shop-events"
    public static func kafkaPassword(seed: UInt64) -> String { "ebb-simulate-\(String(seed, radix: 36))" }

    static func install(_ kubernetes: KubernetesWorld, options: Options, brokers: Int, seed: UInt64) throws {
        func resource(_ plural: String) throws -> FaceResource {
            guard let found = kubernetes.resources.first(where: { $0.plural == plural }) else {
                throw FaceError(code: 500, reason: "InternalError", message: "no \(plural)")
            }
            return found
        }
        guard let crd = InstallManifests.files.first(where: { $0.path.hasPrefix("crd/") }) else { return }
        _ = try kubernetes.create(try resource("customresourcedefinitions"), namespace: nil, try JSON.yaml(try crd.render()))
        // The shipped RBAC (namespace ebb-system, the ServiceAccount, its roles and bindings).
        for file in InstallManifests.files where file.path.hasPrefix("rbac/") { try kubernetes.createAll(try file.render()) }
        _ = try kubernetes.create(try resource("namespaces"), namespace: nil, .object(["metadata": .object(["name": .string(options.namespace)])]))
        if options.kafkaSASL, let secrets = kubernetes.resources.first(where: { $0.group == "" && $0.plural == "secrets" }) {
            let data: [String: JSON] = [
                "username": .string(Data(kafkaUser.utf8).base64EncodedString()),
                "password": .string(Data(kafkaPassword(seed: seed).utf8).base64EncodedString())
            ]
            // The Secret names the pool that may use it (ebb.io/pools), as the operator requires.
            _ = try kubernetes.create(
                secrets, namespace: options.namespace,
                .object([
                    "metadata": .object([
                        "name": .string(kafkaCredentialsSecret), "annotations": .object([PoolOptIn.annotation: .string(Self.poolName)])
                    ]),
                    "type": .string("Opaque"), "data": .object(data)
                ]))
        }
        _ = try kubernetes.create(
            try resource("statefulsets"), namespace: options.namespace,
            try JSON.yaml(
                """
                metadata: {name: \(options.statefulSet), labels: {app: automq}, annotations: {\(PoolOptIn.annotation): \(Self.poolName)}}
                spec:
                  replicas: \(brokers)
                  serviceName: \(options.statefulSet)
                  selector: {matchLabels: {app: automq}}
                  template: {metadata: {labels: {app: automq}}, spec: {containers: [{name: broker, image: automqinc/automq}]}}
                """))
    }

    /// The bearer token of the operator's ServiceAccount, as in the served kubeconfig.
    public static let operatorToken = "ebb-simulate-operator"

    /// What the operator did on the Kubernetes API (repeated writes, stale status writes,
    /// refused requests) and which of its RBAC grants it never used.
    public var operatorAudit: (audit: FaceRequestAudit, unusedGrants: [String]) {
        let user = FaceUser.serviceAccount(InstallManifests.namespace, InstallManifests.serviceAccount)
        return (FaceRequestAudit(kubernetes.requestLog.of(user: user.name)), kubernetes.unusedGrants(of: user).map(\.description))
    }

    /// World seconds now.
    public var now: Double {
        let elapsed = (ContinuousClock.now - started).components
        return options.startSeconds + (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18) * options.speed
    }

    /// One step: pods and brokers follow the StatefulSet, moves complete, traffic flows.
    public func tick() {
        let now = self.now
        vanishABroker(now: now)
        world.tick(now: now)
        let demand = settings.baselineMiBPerSecond * profile.multiplier(at: now) * noise.factor(at: now)
        traffic.step(kafka, now: now, demandMiBPerSecond: demand)
        traffic.forget(brokersOtherThan: Set(kafka.brokerIds))
        let lag = traffic.lagMessages
        let problems = traffic.violations + world.violations
        observed.withLockedValue { observed in
            observed.now = now
            observed.peakLag = max(observed.peakLag, lag)
            observed.peakBrokers = max(observed.peakBrokers, kafka.brokerIds.count)
            for problem in problems where !observed.violations.contains(problem) && observed.violations.count < 100 {
                observed.violations.append("t=\(Int(now)) s: \(problem)")
            }
        }
    }

    /// With faults on: once per 10 world seconds, a broker pod may die (its StatefulSet brings
    /// it back after the pod start delay).
    func vanishABroker(now: Double) {
        guard let faults else { return }
        let due = observed.withLockedValue { observed in
            defer { if now >= observed.nextVanishCheck { observed.nextVanishCheck = now + 10 } }
            return now >= observed.nextVanishCheck
        }
        guard due, faults.roll([.brokerVanished]) != nil, let pods = kubernetes.resources.first(where: { $0.group == "" && $0.plural == "pods" })
        else { return }
        let names = kubernetes.list(pods, namespace: options.namespace, selector: FaceLabelSelector(), limit: nil, after: nil).items
            .compactMap { $0.value(at: "metadata.name")?.string }.filter { $0.hasPrefix("\(options.statefulSet)-") }.sorted()
        guard !names.isEmpty else { return }
        let victim = names[Int(faults.fraction() * Double(names.count)) % names.count]
        do {
            _ = try kubernetes.delete(pods, namespace: options.namespace, name: victim)
        } catch  where error.code == 404 {
            // Gone between the list and the delete: nothing to inject this time.
        } catch {
            observed.withLockedValue { $0.violations.append("the injected pod deletion of \(victim) was refused: \(error.message)") }
        }
    }

    /// Steps the world until graceful shutdown (or cancellation), then stops the faces.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully {
                tick()
                do {
                    try await Task.sleep(for: .seconds(options.tickSeconds))
                } catch {
                    break  // cancelled: stop ticking and stop the faces below
                }
            }
        } onGracefulShutdown: {
        }
        await stop()
    }

    public func stop() async {
        await kubernetesServer.stop()
        await kafkaServer.stop()
        await metricsServer.stop()
    }

    /// Broken invariants seen so far (a broker that left holding a partition, bytes lost, a
    /// negative backlog); should stay empty.
    public var violations: [String] { observed.withLockedValue { $0.violations } }
}
