import BrokerScaling
import Foundation
import KubernetesClient
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// The controller: reflectors for BrokerPools and StatefulSets, a work queue, and workers that
/// reconcile one pool at a time each (never two on one pool). A pool is looked at when its spec
/// changes (a new generation; status writes do not count), when its StatefulSet changes, and
/// every polling interval. With leader election, it runs only while leading.
public final class PoolController: Service, Sendable {
    public let client: Kubernetes
    public let namespace: String?
    public let reconciler: PoolReconciler
    public let pools = Store<BrokerPool>()
    public let statefulSets = Store<StatefulSet>()
    let logger: Logger
    let workers: Int
    let elector: LeaderElector?
    private let generations = NIOLockedValueBox<[String: Int64]>([:])
    private let reconciles = NIOLockedValueBox<Int>(0)

    public init(client: Kubernetes, namespace: String?, reconciler: PoolReconciler, logger: Logger, workers: Int = 2, elector: LeaderElector? = nil) {
        self.client = client
        self.namespace = namespace
        self.reconciler = reconciler
        self.logger = logger
        self.workers = max(1, workers)
        self.elector = elector
    }

    /// Both caches have synced (what `/readyz` reports), and this process leads or stands by.
    public var isReady: Bool { pools.isSynced && statefulSets.isSynced }
    public var isLeading: Bool { elector?.leadership.isLeading ?? true }

    /// As a Service: until graceful shutdown (SIGTERM), then the current reconciles finish and
    /// the lease is given up.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            if let elector = self.elector {
                await elector.run { await self.runLeading() }
            } else {
                await self.runLeading()
            }
        }
    }

    /// Watches and reconciles until cancelled; on cancellation, reconciles in progress finish
    /// (the queue stops handing out keys) before the watches stop.
    public func runLeading() async {
        let queue = WorkQueue()
        let poolReflector = Reflector(client: client, namespace: namespace, store: pools, logger: logger)
        let setReflector = Reflector(client: client, namespace: namespace, store: statefulSets, logger: logger)
        await withTaskGroup(of: Void.self) { watches in
            watches.addTask {
                await poolReflector.run { key in
                    if self.specChanged(key) { await queue.add(key) }
                }
            }
            watches.addTask {
                await setReflector.run { key in
                    for pool in self.pools(targeting: key) { await queue.add(pool) }
                }
            }
            await withTaskGroup(of: Void.self) { workers in
                for index in 0..<self.workers {
                    workers.addTask { await self.work(queue, worker: index) }
                }
                // Cancelled (shutdown or lost lease): stop handing out keys; workers finish.
                await withTaskCancellationHandler {
                    await workers.waitForAll()
                } onCancel: {
                    queue.shutDownFromAnywhere()
                }
            }
            watches.cancelAll()
        }
    }

    /// A pool changed: reconcile when it is new, gone, or its spec moved on (generation);
    /// a status write (ours) changes no generation, so it triggers nothing.
    func specChanged(_ key: String) -> Bool {
        let generation = pools.get(key)?.metadata.generation
        return generations.withLockedValue { generations in
            defer { generations[key] = generation }
            return generations[key] != generation || generation == nil
        }
    }

    /// The pools whose scale target is the StatefulSet `key` (`namespace/name`).
    func pools(targeting key: String) -> [String] {
        pools.all.filter { pool in
            "\(pool.metadata.namespace ?? "")/\(pool.spec.scaleTargetRef.name)" == key
        }.map { Store<BrokerPool>.key(of: $0) }
    }

    func work(_ queue: WorkQueue, worker: Int) async {
        while let key = await queue.next() {
            guard let pool = pools.get(key) else {
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
            } catch ReconcileError.notLeader {
                logger.info("not leading; reconcile stopped", metadata: ["pool": "\(key)", "reconcile_id": "\(id)"])
            } catch {
                let delay = await queue.addRateLimited(key)
                logger.warning("reconcile failed; retrying", metadata: ["pool": "\(key)", "reconcile_id": "\(id)", "error": "\(error)", "retry_in_seconds": "\(delay)"])
            }
            await queue.done(key)
        }
    }
}
