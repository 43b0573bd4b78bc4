import BrokerScaling
import Foundation
import KubernetesClient
import KubernetesTypes
import Logging
import NIOConcurrencyHelpers
import Resilience
import ServiceLifecycle

/// The controller: reflectors for BrokerPools and StatefulSets, a work queue, and workers that
/// reconcile one pool at a time each (never two on one pool). A pool is looked at when its spec
/// changes (a new generation; status writes do not count), when its StatefulSet changes, and
/// every polling interval. With leader election, the caches are kept on every replica (a standby
/// is warm, and Ready), and the workers run only while leading.
public final class PoolController: Service, Sendable {
    public let client: Kubernetes
    public let namespace: String?
    public let reconciler: PoolReconciler
    public let pools = Store<BrokerPool>()
    public let statefulSets = Store<StatefulSet>()
    let logger: Logger
    let workers: Int
    let elector: LeaderElector?
    /// Seconds the API server keeps one watch open; a watch silent for longer (plus a margin)
    /// is restarted.
    let watchTimeout: Int
    private let generations = NIOLockedValueBox<[ObjectKey: Int64]>([:])
    private let reconciles = NIOLockedValueBox<Int>(0)
    /// The work queue while leading; nil while standing by.
    private let queue = NIOLockedValueBox<WorkQueue<ObjectKey>?>(nil)

    public init(
        client: Kubernetes, namespace: String?, reconciler: PoolReconciler, logger: Logger, workers: Int = 2, elector: LeaderElector? = nil,
        watchTimeout: Int = 290
    ) {
        self.client = client
        self.namespace = namespace
        self.reconciler = reconciler
        self.logger = logger
        self.workers = max(1, workers)
        self.elector = elector
        self.watchTimeout = watchTimeout
    }

    /// What `/readyz` reports: both caches have synced from the API server, so this replica can
    /// serve, whether it leads or stands by for the Lease. Readiness never depends on the
    /// Lease: a standby that were never Ready would stall a rolling update of the Deployment.
    public var isReady: Bool { pools.isSynced && statefulSets.isSynced }
    public var isLeading: Bool { elector?.leadership.isLeading ?? true }

    /// As a Service: until graceful shutdown (SIGTERM), then the current reconciles finish and
    /// the lease is given up. The caches run from the start; the workers while leading.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.watching {
                if let elector = self.elector {
                    await elector.run { await self.reconciling() }
                } else {
                    await self.reconciling()
                }
            }
        }
    }

    /// Watches and reconciles until cancelled, without leader election; on cancellation,
    /// reconciles in progress finish (the queue stops handing out keys) before the watches stop.
    public func runLeading() async {
        await watching { await self.reconciling() }
    }

    func reflector<R: KubernetesResource>(_ store: Store<R>) -> Reflector<R> {
        var reflector = Reflector(client: client, namespace: namespace, store: store, logger: logger)
        reflector.watchTimeout = watchTimeout
        return reflector
    }

    /// Keeps the caches (list, then watch) while `body` runs; the watches stop after it.
    func watching(_ body: @escaping @Sendable () async -> Void) async {
        let poolReflector = reflector(pools)
        let setReflector = reflector(statefulSets)
        await withTaskGroup(of: Void.self) { watches in
            watches.addTask {
                await poolReflector.run { key in
                    if self.specChanged(key) { await self.queue.withLockedValue { $0 }?.add(key) }
                }
            }
            watches.addTask {
                await setReflector.run { key in
                    guard let queue = self.queue.withLockedValue({ $0 }) else { return }
                    for pool in self.pools(targeting: key) { await queue.add(pool) }
                }
            }
            await body()
            watches.cancelAll()
        }
    }

    /// The workers, on a fresh queue that starts with every pool in the cache (a new leader
    /// looks at each once); until cancelled (shutdown or lost lease).
    func reconciling() async {
        let queue = WorkQueue<ObjectKey>()
        // Pools deleted while another replica led (or this one stood by) were never seen gone here.
        let present = Set(pools.keys)
        for key in reconciler.rememberedPools where !present.contains(key) { await reconciler.forget(key) }
        self.queue.withLockedValue { $0 = queue }
        for key in pools.keys { await queue.add(key) }
        await withTaskGroup(of: Void.self) { workers in
            for index in 0..<self.workers {
                workers.addTask { await self.work(queue, worker: index) }
            }
            // Cancelled: stop handing out keys; workers finish their reconcile.
            await withTaskCancellationHandler {
                await workers.waitForAll()
            } onCancel: {
                queue.shutDownFromAnywhere()
            }
        }
        self.queue.withLockedValue { $0 = nil }
    }

    /// A pool changed: reconcile when it is new, gone, or its spec moved on (generation);
    /// a status write (ours) changes no generation, so it triggers nothing.
    func specChanged(_ key: ObjectKey) -> Bool {
        let generation = pools.get(key)?.metadata.generation
        return generations.withLockedValue { generations in
            defer { generations[key] = generation }
            return generations[key] != generation || generation == nil
        }
    }

    /// The pools whose scale target is the StatefulSet `key`.
    func pools(targeting key: ObjectKey) -> [ObjectKey] {
        pools.all.filter { pool in
            ObjectKey(namespace: pool.metadata.namespace, name: pool.spec.scaleTargetRef.name) == key
        }.map { Store<BrokerPool>.key(of: $0) }
    }

    func work(_ queue: WorkQueue<ObjectKey>, worker: Int) async {
        while let key = await queue.next() {
            guard let pool = pools.get(key) else {
                // Deleted: nothing to reconcile, and nothing of it to keep.
                await reconciler.forget(key)
                await queue.forget(key)
                await queue.done(key)
                continue
            }
            let id = reconciles.withLockedValue { count -> String in
                count += 1
                return String(format: "%06x", count)
            }
            do {
                let after = try await reconciler.reconcile(pool, reconcileId: id)
                await queue.forget(key)
                await queue.add(key, after: after)
            } catch ReconcileError.conflict(let cause) {
                // Not a failure: nothing was done, and the newer pool is on its way to the cache.
                let delay = await queue.addRateLimited(key)
                logger.info(
                    "pool changed since it was read; looking again",
                    metadata: [
                        "pool": "\(key)", "reconcile_id": "\(id)", "cause": "\(cause)", "retry_in_seconds": "\(delay.inSeconds)"
                    ])
            } catch ReconcileError.notLeader {
                logger.info("not leading; reconcile stopped", metadata: ["pool": "\(key)", "reconcile_id": "\(id)"])
            } catch {
                let delay = await queue.addRateLimited(key)
                logger.warning(
                    "reconcile failed; retrying",
                    metadata: ["pool": "\(key)", "reconcile_id": "\(id)", "error": "\(error)", "retry_in_seconds": "\(delay.inSeconds)"])
            }
            await queue.done(key)
        }
    }
}
