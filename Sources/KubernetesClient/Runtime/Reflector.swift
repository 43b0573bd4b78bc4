import Logging
import NIOConcurrencyHelpers

/// What a reflector has done, for metrics and tests.
public final class ReflectorCounters: Sendable {
    struct Counts: Sendable {
        var lists = 0
        var relistsAfterGone = 0
        var watches = 0
        var failures = 0
    }

    let counts = NIOLockedValueBox(Counts())

    public init() {}

    public var lists: Int { counts.withLockedValue { $0.lists } }
    public var relistsAfterGone: Int { counts.withLockedValue { $0.relistsAfterGone } }
    public var watches: Int { counts.withLockedValue { $0.watches } }
    public var failures: Int { counts.withLockedValue { $0.failures } }
}

/// The watcher's I/O shell: runs `WatcherState`'s actions against the API, keeps a `Store`,
/// and reports each changed key. Runs until its task is cancelled.
public struct Reflector<R: KubernetesResource>: Sendable {
    public let client: Kubernetes
    public let namespace: String?
    public let labelSelector: String?
    public let store: Store<R>
    public let logger: Logger
    /// Seconds the server keeps one watch open.
    public var watchTimeout = 290
    public let counters = ReflectorCounters()

    public init(client: Kubernetes, namespace: String?, labelSelector: String? = nil, store: Store<R>, logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.store = store
        self.logger = logger
    }

    static var now: Double { MonotonicTime.now }

    /// Lists, watches, and calls `changed` with the key of every object that changed.
    public func run(changed: @Sendable (String) async -> Void) async {
        var machine = WatcherState()
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            switch machine.next(now: Self.now) {
            case .list:
                do {
                    counters.counts.withLockedValue { $0.lists += 1 }
                    let list = try await client.list(R.self, namespace: namespace, labelSelector: labelSelector)
                    let keys = store.replace(with: list.items)
                    machine.listed(resourceVersion: list.resourceVersion)
                    logger.debug("listed", metadata: ["resource": "\(R.resource.plural)", "objects": "\(list.items.count)", "resource_version": "\(list.resourceVersion)"])
                    for key in keys { await changed(key) }
                } catch {
                    machine.failed(gone: error.apiError?.isGone == true, now: Self.now, random: Double.random(in: 0...1, using: &generator))
                    counters.counts.withLockedValue { $0.failures += 1 }
                    logger.warning("list failed", metadata: ["resource": "\(R.resource.plural)", "error": "\(error)"])
                }
            case .watch(let version):
                counters.counts.withLockedValue { $0.watches += 1 }
                do {
                    try await client.watch(R.self, namespace: namespace, labelSelector: labelSelector, resourceVersion: version, timeoutSeconds: watchTimeout) { event throws(KubernetesClientError) -> Bool in
                        if case .bookmark(let at) = event {
                            machine.received(resourceVersion: at)
                        } else if let key = store.apply(event) {
                            machine.received(resourceVersion: Self.version(of: event) ?? version)
                            await changed(key)
                        }
                        return !Task.isCancelled
                    }
                    machine.streamEnded()
                } catch {
                    let gone = error.apiError?.isGone == true
                    machine.failed(gone: gone, now: Self.now, random: Double.random(in: 0...1, using: &generator))
                    counters.counts.withLockedValue { gone ? ($0.relistsAfterGone += 1) : ($0.failures += 1) }
                    if gone {
                        logger.info("watch expired, listing again", metadata: ["resource": "\(R.resource.plural)", "resource_version": "\(version)"])
                    } else {
                        logger.warning("watch failed", metadata: ["resource": "\(R.resource.plural)", "error": "\(error)"])
                    }
                }
            case .wait(let until):
                let seconds = max(0, until - Self.now)
                do {
                    try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                } catch {
                    return
                }
            }
        }
    }

    static func version(of event: WatchEvent<R>) -> String? {
        switch event {
        case .added(let object), .modified(let object), .deleted(let object): return object.metadata.resourceVersion
        case .bookmark(let version): return version
        }
    }
}
