import BrokerScaling
import EbbTestSupport
import Foundation
import KubernetesClient
import KubernetesTypes
import Logging
import NIOConcurrencyHelpers
import Operator
import Simulator
import Testing

/// Ebb's Kubernetes client against the simulator's Kubernetes face, over HTTP on loopback.
struct ClientAgainstFaceTests {
    static let manifests = RealParts.root.appendingPathComponent("Manifests")

    static func pool(_ name: String = "shop-events") throws -> BrokerPool {
        let text = try String(contentsOf: manifests.appendingPathComponent("examples/ecommerce-black-friday.yaml"), encoding: .utf8)
        var pool = try #require(BrokerPoolDocuments.check(text).first?.pool)
        pool.metadata.name = name
        return pool
    }

    /// A face with the CRD and the `shop` namespace, and a client for it.
    func withFace(historyLimit: Int = 1_000, _ body: (Kubernetes, KubernetesWorld) async throws -> Void) async throws {
        let world = KubernetesWorld(historyLimit: historyLimit)
        let crdText = try String(contentsOf: Self.manifests.appendingPathComponent("crd/brokerpools.ebb.io.yaml"), encoding: .utf8)
        let crdResource = try #require(world.resources.first { $0.plural == "customresourcedefinitions" })
        _ = try world.create(crdResource, namespace: nil, try JSON.yaml(crdText))
        let namespaces = try #require(world.resources.first { $0.plural == "namespaces" })
        _ = try world.create(namespaces, namespace: nil, .object(["metadata": .object(["name": .string("shop")])]))
        let server = try await KubernetesFaceServer.start(world: world, bookmarkInterval: 0.2)
        let client = try Kubernetes(try KubernetesConfiguration(server: server.url, namespace: "shop"), timeout: TestTime.scaled(.seconds(5)))
        do {
            try await body(client, world)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func createGetPatchAndStatusWithConflicts() async throws {
        try await withFace { client, _ in
            let created = try await client.create(try Self.pool())
            #expect(created.metadata.uid != nil && created.metadata.generation == 1)
            // A spec change bumps generation; metadata-only and status changes do not.
            let patched = try await client.patch(
                BrokerPool.self, namespace: "shop", name: "shop-events", .merge(Array(#"{"spec":{"maxReplicas":30}}"#.utf8)))
            #expect(patched.spec.maxReplicas == 30 && patched.metadata.generation == 2)
            var withStatus = patched
            withStatus.status = BrokerPoolStatus(observedGeneration: 2, replicas: 3)
            let updated = try await client.replaceStatus(withStatus)
            #expect(updated.status?.replicas == 3 && updated.metadata.generation == 2)
            // The same (now stale) object again: 409 Conflict, with the API's reason.
            await #expect {
                _ = try await client.replaceStatus(withStatus)
            } throws: { error in
                (error as? KubernetesClientError)?.apiError?.isConflict == true
                    && "\(error)".contains("update status of brokerpool shop/shop-events: 409 Conflict")
            }
            let read = try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events")
            #expect(read.status?.replicas == 3 && read.spec.maxReplicas == 30)
            await #expect {
                _ = try await client.get(BrokerPool.self, namespace: "shop", name: "nope")
            } throws: { error in
                (error as? KubernetesClientError)?.apiError?.isNotFound == true
            }
        }
    }

    @Test func invalidSpecsAreRefusedWithTheField() async throws {
        try await withFace { client, _ in
            var pool = try Self.pool()
            pool.spec.minReplicas = 30
            await #expect {
                _ = try await client.create(pool)
            } throws: { error in
                "\(error)".contains("422 Invalid") && "\(error)".contains("minReplicas")
            }
        }
    }

    @Test func listsEveryPageAndFiltersByLabel() async throws {
        try await withFace { client, _ in
            for index in 0..<7 {
                var pool = try Self.pool("pool-\(index)")
                pool.metadata.labels = ["tier": index % 2 == 0 ? "gold" : "silver"]
                _ = try await client.create(pool)
            }
            let all = try await client.list(BrokerPool.self, namespace: "shop", pageSize: 3)
            #expect(all.items.count == 7)
            #expect(Set(all.items.compactMap(\.metadata.name)).count == 7)
            let gold = try await client.list(BrokerPool.self, namespace: "shop", labelSelector: "tier=gold", pageSize: 2)
            #expect(gold.items.compactMap(\.metadata.name).sorted() == ["pool-0", "pool-2", "pool-4", "pool-6"])
        }
    }

    @Test func scaleSubresource() async throws {
        try await withFace { client, _ in
            var pool = try Self.pool()
            pool.spec.replicas = 4
            _ = try await client.create(pool)
            let scale = try await client.scale(BrokerPool.self, namespace: "shop", name: "shop-events")
            #expect(scale.spec.replicas == 4)
            let scaled = try await client.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 9)
            #expect(scaled.spec.replicas == 9)
            #expect(try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events").spec.replicas == 9)
        }
    }

    /// Stopping is not a failure: a reflector cancelled while it watches logs no warning (a
    /// user stopping `ebb run` saw "watch failed: CancellationError()" for each resource).
    @Test func aStoppedReflectorSaysNothingWentWrong() async throws {
        try await withFace { client, _ in
            _ = try await client.create(try Self.pool("first"))
            let store = Store<BrokerPool>()
            let records = NIOLockedValueBox<[String]>([])
            var logger = Logger(label: "test") { _ in CapturingLogHandler(records: records) }
            logger.logLevel = .debug
            let reflector = Reflector(client: client, namespace: "shop", store: store, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await reflector.run { _ in } }
                try await Self.eventually { store.isSynced && reflector.counters.watches >= 1 }
                group.cancelAll()
            }
            let warnings = records.withLockedValue { $0 }.filter { $0.hasPrefix("warning") || $0.hasPrefix("error") }
            #expect(warnings.isEmpty, "\(warnings)")
        }
    }

    @Test func theReflectorFollowsChangesAndRelistsAfterGone() async throws {
        try await withFace(historyLimit: 5) { client, world in
            _ = try await client.create(try Self.pool("first"))
            let store = Store<BrokerPool>()
            let seen = NIOLockedValueBox<[String]>([])
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let reflector = Reflector(client: client, namespace: "shop", store: store, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await reflector.run { key in seen.withLockedValue { $0.append(key.description) } } }
                try await Self.eventually { store.isSynced && store.get(namespace: "shop", name: "first") != nil }
                _ = try await client.create(try Self.pool("second"))
                try await Self.eventually { store.get(namespace: "shop", name: "second") != nil }
                // The API server goes away, dropping the watch; while the reflector backs off, more
                // changes than the history keeps happen. Its watch then resumes from a version
                // that is gone (410), so it lists again, and misses nothing.
                world.isUnavailable = true
                world.dropWatches()
                let pools = try #require(world.resources.first { $0.plural == "brokerpools" })
                for index in 0..<8 { _ = try world.create(pools, namespace: "shop", try JSON.from(try Self.pool("bulk-\(index)"))) }
                _ = try world.delete(pools, namespace: "shop", name: "first")
                world.isUnavailable = false
                try await Self.eventually { store.keys.count == 9 && store.get(namespace: "shop", name: "first") == nil }
                group.cancelAll()
            }
            #expect(seen.withLockedValue { $0 }.contains("shop/second"))
            #expect(reflector.counters.relistsAfterGone >= 1, "the compacted history forced a relist")
            #expect(reflector.counters.lists >= 2)
        }
    }

    @Test func serverSideApplyAndJSONPatch() async throws {
        try await withFace { client, _ in
            let pool = try Self.pool()
            let body = try Kubernetes.encode(pool, step: "apply")
            let applied = try await client.patch(
                BrokerPool.self, namespace: "shop", name: "shop-events", .apply(body, fieldManager: "ebb", force: true))
            #expect(applied.metadata.generation == 1 && applied.spec.maxReplicas == 24)
            // A JSON patch with a test: applied only if the value is still what we read.
            let patch = Array(#"[{"op":"test","path":"/spec/maxReplicas","value":24},{"op":"replace","path":"/spec/maxReplicas","value":40}]"#.utf8)
            let patched = try await client.patch(BrokerPool.self, namespace: "shop", name: "shop-events", .json(patch))
            #expect(patched.spec.maxReplicas == 40)
            await #expect {
                _ = try await client.patch(BrokerPool.self, namespace: "shop", name: "shop-events", .json(patch))
            } throws: { error in
                "\(error)".contains("422") && "\(error)".contains("test failed")
            }
        }
    }

    @Test func eventsAreRecordedAboutAPool() async throws {
        try await withFace { client, _ in
            let pool = try await client.create(try Self.pool())
            let event = Event(
                metadata: ObjectMeta(name: "shop-events.187a2b3c4d5e6f70", namespace: "shop"), eventTime: "2026-11-27T17:00:00.000000Z",
                reportingController: "ebb.io/operator", reportingInstance: "ebb-operator-0", action: "ScaleOut", reason: "HighLag",
                regarding: .init(
                    apiVersion: BrokerPool.apiVersion, kind: BrokerPool.kind, namespace: "shop", name: "shop-events", uid: pool.metadata.uid),
                note: "3 -> 6 brokers: consumer lag 1.2M over target 100k", type: "Normal")
            let created = try await client.create(event)
            #expect(created.metadata.name?.hasPrefix("shop-events.") == true)
            let listed = try await client.list(Event.self, namespace: "shop")
            #expect(listed.items.map(\.reason) == ["HighLag"])
            #expect(listed.items.first?.regarding.uid == pool.metadata.uid)
        }
    }

    @Test func watchesCarryBookmarks() async throws {
        try await withFace { client, _ in
            _ = try await client.create(try Self.pool())
            let start = try await client.list(BrokerPool.self, namespace: "shop")
            var events: [String] = []
            try await client.watch(BrokerPool.self, namespace: "shop", resourceVersion: start.resourceVersion, timeoutSeconds: 2) {
                event throws(KubernetesClientError) -> Bool in
                switch event {
                case .bookmark(let version): events.append("bookmark \(version)")
                default: events.append("change")
                }
                return events.count < 2
            }
            #expect(events == ["bookmark \(start.resourceVersion)", "bookmark \(start.resourceVersion)"])
        }
    }

    /// Waits for `condition` for `seconds` on a quiet machine, scaled by the test-time factor.
    static func eventually(_ condition: () -> Bool, seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await TestTime.eventually("condition", within: .milliseconds(Int64(seconds * 1000)), sourceLocation: sourceLocation) { condition() }
    }
}

/// Keeps "level message" of every record, for tests that judge what was logged.
struct CapturingLogHandler: LogHandler {
    let records: NIOLockedValueBox<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.withLockedValue { $0.append("\(event.level) \(event.message)") }
    }
}
