import BrokerMetrics
import BrokerScaling
import EbbTestSupport
import Foundation
import KafkaAdmin
import KubernetesClient
import Logging
import NIOConcurrencyHelpers
import Operator
import Simulator
import Testing

/// Issue 18: someone who may only create BrokerPools in one namespace gets no more than their
/// pool. Each test is the attack as it was tried, against the real reconcile over the
/// simulator's Kubernetes API, with the attacker's listener on 127.0.0.1.
struct PoolAuthorLimitsTests {
    static let password = "Pr0d-DB-P4ss!"

    struct NoMetrics: MetricsPort {
        func observe(_ pool: BrokerPool, now: Date, cluster: ClusterSnapshot?) async -> [MetricObservation] { [] }
    }

    /// The namespace `shop` with a Secret `db-creds` (keys user, dbpassword) and the StatefulSets
    /// `automq-broker` (opted in for shop-events) and `postgres` (not), served over HTTP.
    struct Namespace {
        let kube: KubernetesWorld
        let server: KubernetesFaceServer
        let client: Kubernetes
        let reconciler: PoolReconciler

        func resource(_ plural: String) throws -> FaceResource { try #require(kube.resources.first { $0.plural == plural }) }

        static func make(secretAnnotations: String, postgresReplicas: Int = 2) async throws -> Namespace {
            let kube = KubernetesWorld()
            func resource(_ plural: String) throws -> FaceResource { try #require(kube.resources.first { $0.plural == plural }) }
            let crd = try String(contentsOf: RealParts.root.appendingPathComponent("Manifests/crd/brokerpools.ebb.io.yaml"), encoding: .utf8)
            _ = try kube.create(try resource("customresourcedefinitions"), namespace: nil, try JSON.yaml(crd))
            _ = try kube.create(try resource("namespaces"), namespace: nil, try JSON.yaml("metadata: {name: shop}"))
            _ = try kube.create(
                try resource("secrets"), namespace: "shop",
                try JSON.yaml(
                    """
                    metadata: {name: db-creds\(secretAnnotations)}
                    data: {user: \(Data("app".utf8).base64EncodedString()), dbpassword: \(Data(password.utf8).base64EncodedString())}
                    """))
            _ = try kube.create(
                try resource("statefulsets"), namespace: "shop",
                try JSON.yaml(
                    """
                    metadata: {name: automq-broker, annotations: {ebb.io/pools: shop-events}}
                    spec: {replicas: 3, selector: {matchLabels: {app: automq}}, template: {metadata: {labels: {app: automq}}}}
                    """))
            _ = try kube.create(
                try resource("statefulsets"), namespace: "shop",
                try JSON.yaml(
                    """
                    metadata: {name: postgres}
                    spec: {replicas: \(postgresReplicas), selector: {matchLabels: {app: postgres}}, template: {metadata: {labels: {app: postgres}}}}
                    """))
            let server = try await KubernetesFaceServer.start(world: kube, bookmarkInterval: 1)
            let client = try Kubernetes(try KubernetesConfiguration(server: server.url), timeout: TestTime.scaled(.seconds(5)))
            let reconciler = PoolReconciler(
                workloads: KubernetesWorkloadPort(client: client, instance: "test"),
                kafka: KafkaClusterPort(clients: KafkaClients(kubernetes: client)),
                metricSource: NoMetrics(), logger: Logger(label: "ebb"))
            return Namespace(kube: kube, server: server, client: client, reconciler: reconciler)
        }

        /// Creates the pool `shop-events` and reconciles it `times` times; the pool after.
        func attack(_ spec: String, times: Int = 2) async throws -> BrokerPool {
            _ = try kube.create(try resource("brokerpools"), namespace: "shop", try JSON.yaml("metadata: {name: shop-events}\nspec:\n" + spec))
            for index in 0..<times {
                let pool = try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events")
                _ = try? await reconciler.reconcile(pool, reconcileId: "attack-\(index)")
            }
            return try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events")
        }

        /// The reasons of the Events recorded about the pool.
        func eventReasons() throws -> [String] {
            kube.objects(try resource("events"), namespace: "shop").compactMap { $0.value(at: "reason")?.string }
        }

        func stop() async { await server.stop() }
    }

    /// A Kafka face that takes PLAIN app / the password, behind the attacker's recording relay.
    static func attackerBroker() async throws -> (face: KafkaFaceServer, listener: RawListener) {
        let kafka = SimulatedKafkaCluster(moveSeconds: 0.2)
        let face = try await KafkaFaceServer.start(router: kafka.router())
        face.router.requireSASL(try KafkaFaceSASL(mechanisms: [.plain], users: ["app": password]))
        kafka.advertise(host: "127.0.0.1", port: face.port)
        return (face, try await RawListener.start(.relay(port: face.port)))
    }

    static func saslSpec(bootstrap: String, tls: String = "", allowWithoutTLS: Bool) -> String {
        """
          scaleTargetRef: {name: automq-broker}
          maxReplicas: 8
          dryRun: true
          kafka:
            bootstrapServers: ["\(bootstrap)"]
            sasl: {mechanism: PLAIN, credentialsSecretRef: {name: db-creds, usernameKey: user, passwordKey: dbpassword}\(allowWithoutTLS ? ", allowWithoutTLS: true" : "")}\(tls)
        """
    }

    @Test func aSecretThatDoesNotNameThePoolNeverReachesTheAttackersListener() async throws {
        let namespace = try await Namespace.make(secretAnnotations: "")
        let (face, listener) = try await Self.attackerBroker()
        // The author even accepts plaintext: the Secret's owner never said this pool may use it.
        let pool = try await namespace.attack(Self.saslSpec(bootstrap: listener.address, allowWithoutTLS: true))
        #expect(!listener.received(contains: Self.password), "the password reached the attacker's listener")
        let condition = try #require(pool.status?.conditions?.first { $0.type == .ableToScale })
        #expect(condition.status == .false)
        #expect(
            condition.message.contains("Secret shop/db-creds does not name BrokerPool shop-events in its ebb.io/pools annotation"),
            "\(condition.message)")
        #expect(condition.message.contains("kubectl annotate secret db-creds -n shop ebb.io/pools=shop-events"), "\(condition.message)")
        await listener.stop()
        await face.stop()
        await namespace.stop()
    }

    /// The control: the same listener does receive the password once the Secret opts in and
    /// the pool accepts plaintext, so the test above would have seen it; and that opt-out is
    /// visible (ConnectionSecure False, a Warning Event).
    @Test func anOptedInSecretOverExplicitPlaintextIsSentAndShownAsInsecure() async throws {
        let namespace = try await Namespace.make(secretAnnotations: ", annotations: {ebb.io/pools: \"billing, shop-events\"}")
        let (face, listener) = try await Self.attackerBroker()
        let pool = try await namespace.attack(Self.saslSpec(bootstrap: listener.address, allowWithoutTLS: true))
        #expect(listener.received(contains: Self.password), "the relay sees what the client sends")
        let secure = try #require(pool.status?.conditions?.first { $0.type == .connectionSecure })
        #expect(secure.status == .false && secure.reason == "InsecureSettings")
        #expect(secure.message.contains("PLAIN password goes over the network in the clear"), "\(secure.message)")
        #expect(try namespace.eventReasons().filter { $0 == "InsecureSettings" }.count == 1, "one Warning Event, not one per reconcile")
        await listener.stop()
        await face.stop()
        await namespace.stop()
    }

    @Test func saslWithoutTLSIsRefusedUnlessTheSpecAllowsIt() async throws {
        let namespace = try await Namespace.make(secretAnnotations: ", annotations: {ebb.io/pools: shop-events}")
        let (face, listener) = try await Self.attackerBroker()
        let pool = try await namespace.attack(Self.saslSpec(bootstrap: listener.address, allowWithoutTLS: false))
        #expect(listener.received.isEmpty, "nothing was sent at all")
        let valid = try #require(pool.status?.conditions?.first { $0.type == .specValid })
        #expect(valid.status == .false)
        #expect(valid.message.contains("SASL PLAIN without TLS would send the credentials (the password itself) in the clear"), "\(valid.message)")
        #expect(valid.message.contains("allowWithoutTLS"), "\(valid.message)")
        await listener.stop()
        await face.stop()
        await namespace.stop()
    }

    @Test func insecureSkipVerifyIsShownAsInsecure() async throws {
        let namespace = try await Namespace.make(secretAnnotations: "")
        let listener = try await RawListener.start(.answer([]))
        let pool = try await namespace.attack(
            """
              scaleTargetRef: {name: automq-broker}
              maxReplicas: 8
              kafka:
                bootstrapServers: ["\(listener.address)"]
                tls: {insecureSkipVerify: true}
            """)
        let secure = try #require(pool.status?.conditions?.first { $0.type == .connectionSecure })
        #expect(secure.status == .false && secure.message.contains("tls.insecureSkipVerify is true"), "\(secure.message)")
        #expect(try namespace.eventReasons().filter { $0 == "InsecureSettings" }.count == 1)
        await listener.stop()
        await namespace.stop()
    }

    @Test func aStatefulSetThatDoesNotNameThePoolIsLeftAlone() async throws {
        let namespace = try await Namespace.make(secretAnnotations: "", postgresReplicas: 2)
        let listener = try await RawListener.start(.answer([]))
        let pool = try await namespace.attack(
            """
              scaleTargetRef: {name: postgres}
              minReplicas: 40
              maxReplicas: 40
              kafka: {bootstrapServers: ["\(listener.address)"]}
            """, times: 3)
        let postgres = try namespace.kube.get(try namespace.resource("statefulsets"), namespace: "shop", name: "postgres")
        #expect(postgres.value(at: "spec.replicas")?.int == 2, "postgres was scaled")
        let condition = try #require(pool.status?.conditions?.first { $0.type == .ableToScale })
        #expect(condition.status == .false && condition.reason == "TargetNotOptedIn")
        #expect(condition.message.contains("StatefulSet shop/postgres does not name BrokerPool shop-events"), "\(condition.message)")
        #expect(pool.status?.state == .blocked)
        #expect(try namespace.eventReasons() == ["TargetNotOptedIn"], "one Warning Event, not one per reconcile")
        #expect(listener.received.isEmpty, "not even Kafka was asked")
        await listener.stop()
        await namespace.stop()
    }
}
