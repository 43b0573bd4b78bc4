import KubernetesTypes
import Logging
import NIOConcurrencyHelpers

/// What a reflector has done, for metrics and tests.
public final class ReflectorCounters: Sendable {
    struct Counts: Sendable {
        var lists = 0
        var relistsAfterGone = 0
        var watches = 0
        var failures = 0
        var silentRestarts = 0
    }

    let counts = NIOLockedValueBox(Counts())

    public init() {}

    public var lists: Int { counts.withLockedValue { $0.lists } }
    public var relistsAfterGone: Int { counts.withLockedValue { $0.relistsAfterGone } }
    public var watches: Int { counts.withLockedValue { $0.watches } }
    public var failures: Int { counts.withLockedValue { $0.failures } }
    /// Watches cancelled because they delivered nothing past their timeout.
    public var silentRestarts: Int { counts.withLockedValue { $0.silentRestarts } }
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
    /// Seconds past `watchTimeout` that a watch may stay silent before it is cancelled.
    public var silenceMargin: Double = 15
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
    public func run(changed: @escaping @Sendable (ObjectKey) async -> Void) async {
        // Shared with the watch's task and its watchdog; one reflector, so never contended.
        let machine = NIOLockedValueBox(WatcherState(silenceMargin: silenceMargin))
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            switch machine.withLockedValue({ $0.next(now: Self.now) }) {
            case .list:
                do {
                    counters.counts.withLockedValue { $0.lists += 1 }
                    let list = try await client.list(R.self, namespace: namespace, labelSelector: labelSelector)
                    let keys = store.replace(with: list.items)
                    machine.withLockedValue { $0.listed(resourceVersion: list.resourceVersion) }
                    logger.debug(
                        "listed",
                        metadata: [
                            "resource": "\(R.resource.plural)", "objects": "\(list.items.count)", "resource_version": "\(list.resourceVersion)"
                        ])
                    for key in keys { await changed(key) }
                } catch {
                    // Stopping (the service is shutting down) is not a failure worth a warning.
                    if Task.isCancelled { return }
                    let random = Double.random(in: 0...1, using: &generator)
                    machine.withLockedValue { $0.failed(gone: error.apiError?.isGone == true, now: Self.now, random: random) }
                    counters.counts.withLockedValue { $0.failures += 1 }
                    logger.warning("list failed", metadata: ["resource": "\(R.resource.plural)", "error": "\(error)"])
                }
            case .watch(let version):
                counters.counts.withLockedValue { $0.watches += 1 }
                switch await watch(from: version, machine: machine, changed: changed) {
                case .ended:
                    machine.withLockedValue { $0.streamEnded() }
                case .silent:
                    machine.withLockedValue { $0.silenced() }
                    counters.counts.withLockedValue { $0.silentRestarts += 1 }
                    logger.warning(
                        "watch silent past its timeout; watching again",
                        metadata: [
                            "resource": "\(R.resource.plural)", "resource_version": "\(machine.withLockedValue { $0.resourceVersion } ?? version)",
                            "timeout_seconds": "\(watchTimeout)"
                        ])
                case .cancelled:
                    return
                case .failed(let error):
                    if Task.isCancelled { return }
                    let gone = error.apiError?.isGone == true
                    let random = Double.random(in: 0...1, using: &generator)
                    machine.withLockedValue { $0.failed(gone: gone, now: Self.now, random: random) }
                    counters.counts.withLockedValue { counts in
                        if gone { counts.relistsAfterGone += 1 } else { counts.failures += 1 }
                    }
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

    enum WatchOutcome: Sendable {
        case ended
        case silent
        case cancelled
        case failed(KubernetesClientError)
    }

    /// One watch, beside a watchdog that cancels it when `WatcherState` calls it silent.
    func watch(
        from version: String, machine: NIOLockedValueBox<WatcherState>, changed: @escaping @Sendable (ObjectKey) async -> Void
    ) async -> WatchOutcome {
        let timeout = Double(watchTimeout)
        let check = Duration.milliseconds(Int64(max(0.05, min(1, silenceMargin / 4)) * 1000))
        return await withTaskGroup(of: WatchOutcome?.self) { group in
            group.addTask {
                do throws(KubernetesClientError) {
                    try await client.watch(
                        R.self, namespace: namespace, labelSelector: labelSelector, resourceVersion: version, timeoutSeconds: watchTimeout
                    ) { event throws(KubernetesClientError) -> Bool in
                        if case .bookmark(let at) = event {
                            machine.withLockedValue { $0.received(resourceVersion: at, now: Self.now) }
                        } else if let key = store.apply(event) {
                            machine.withLockedValue { $0.received(resourceVersion: Self.version(of: event) ?? version, now: Self.now) }
                            await changed(key)
                        }
                        return !Task.isCancelled
                    }
                    return Task.isCancelled ? nil : .ended
                } catch {
                    return Task.isCancelled ? nil : .failed(error)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: check)
                    } catch {
                        return nil
                    }
                    if machine.withLockedValue({ $0.isSilent(now: Self.now, timeoutSeconds: timeout) }) { return .silent }
                }
                return nil
            }
            var outcome: WatchOutcome?
            while let next = await group.next() {
                group.cancelAll()
                if outcome == nil { outcome = next }
            }
            return outcome ?? .cancelled
        }
    }

    static func version(of event: WatchEvent<R>) -> String? {
        switch event {
        case .added(let object), .modified(let object), .deleted(let object): return object.metadata.resourceVersion
        case .bookmark(let version): return version
        }
    }
}
