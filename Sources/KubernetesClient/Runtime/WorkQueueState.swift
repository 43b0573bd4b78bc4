import Resilience

/// The work queue's bookkeeping, with no I/O and time as an input (client-go's workqueue):
/// a key is queued at most once; a key being processed is never handed to a second worker
/// (added again meanwhile, it is queued once the first worker is done); failures requeue with
/// per-key exponential backoff; `after` schedules periodic work.
public struct WorkQueueState<Key: Hashable & Sendable>: Sendable {
    var queue: [Key] = []
    var queued: Set<Key> = []
    var processing: Set<Key> = []
    /// Added while processing: queued again when done.
    var dirty: Set<Key> = []
    /// Keys due later, with when.
    var delayed: [Key: Double] = [:]
    var failures: [Key: Int] = [:]
    public let baseDelay: Double
    public let maxDelay: Double

    /// client-go's default controller rate limiter: 5 ms doubling to 1000 s per key.
    public init(baseDelay: Double = 0.005, maxDelay: Double = 1000) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public var count: Int { queue.count }
    public var isIdle: Bool { queue.isEmpty && processing.isEmpty && delayed.isEmpty }

    /// Queues `key` now (deduplicated).
    public mutating func add(_ key: Key) {
        if processing.contains(key) {
            dirty.insert(key)
            return
        }
        guard queued.insert(key).inserted else { return }
        delayed[key] = nil
        queue.append(key)
    }

    /// Queues `key` at `time` (an earlier due time wins).
    public mutating func add(_ key: Key, at time: Double) {
        guard !queued.contains(key) else { return }
        if let due = delayed[key], due <= time { return }
        delayed[key] = time
    }

    /// Queues `key` after its backoff; returns the delay.
    @discardableResult
    public mutating func addRateLimited(_ key: Key, now: Double) -> Double {
        let attempts = failures[key, default: 0]
        failures[key] = attempts + 1
        // No jitter (random 1): client-go's per-item limiter is plain exponential.
        let delay = Backoff(base: baseDelay, cap: maxDelay).delay(afterFailures: attempts, random: 1)
        add(key, at: now + delay)
        return delay
    }

    /// The key's failures are forgotten (it succeeded).
    public mutating func forget(_ key: Key) { failures[key] = nil }

    public func failureCount(_ key: Key) -> Int { failures[key, default: 0] }

    /// Moves due delayed keys into the queue; returns the next due time, if any.
    public mutating func promote(now: Double) -> Double? {
        for (key, due) in delayed where due <= now {
            delayed[key] = nil
            add(key)
        }
        return delayed.values.min()
    }

    /// The next key to work on at `now`, marked as processing; nil when none is ready.
    public mutating func next(now: Double) -> Key? {
        _ = promote(now: now)
        while !queue.isEmpty {
            let key = queue.removeFirst()
            queued.remove(key)
            processing.insert(key)
            return key
        }
        return nil
    }

    /// A worker finished `key`.
    public mutating func done(_ key: Key) {
        processing.remove(key)
        if dirty.remove(key) != nil { add(key) }
    }
}
