import NIOConcurrencyHelpers
import Resilience

/// The work queue's async shell: workers `await next()`; adds wake them; delayed keys become
/// ready on time. Shut down, `next()` returns nil.
public actor WorkQueue<Key: Hashable & Sendable> {
    var state: WorkQueueState<Key>
    var waiters: [CheckedContinuation<Void, Never>] = []
    var shuttingDown = false
    /// Set from any context (a cancellation handler): workers stop within a second.
    nonisolated let stopRequested = NIOLockedValueBox(false)

    public init(state: WorkQueueState<Key> = WorkQueueState()) {
        self.state = state
    }

    public func add(_ key: Key) {
        state.add(key)
        wakeOne()
    }

    public func add(_ key: Key, after delay: Duration) {
        state.add(key, at: MonotonicTime.now + delay.inSeconds)
        wakeOne()
    }

    @discardableResult
    public func addRateLimited(_ key: Key) -> Duration {
        let delay = state.addRateLimited(key, now: MonotonicTime.now)
        wakeOne()
        return .seconds(delay)
    }

    public func forget(_ key: Key) { state.forget(key) }
    public func done(_ key: Key) {
        state.done(key)
        wakeOne()
    }

    public func failureCount(_ key: Key) -> Int { state.failureCount(key) }

    /// Shuts down from outside the actor (cancellation handlers are synchronous).
    public nonisolated func shutDownFromAnywhere() {
        stopRequested.withLockedValue { $0 = true }
    }

    public func shutDown() {
        shuttingDown = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// The next key to process, waiting for one; nil once shut down or cancelled.
    public func next() async -> Key? {
        while !shuttingDown, !Task.isCancelled, !stopRequested.withLockedValue({ $0 }) {
            if let key = state.next(now: MonotonicTime.now) { return key }
            // Wait for an add, the next delayed key, or at most a second; a child task sleeps
            // and wakes the waiters, which also ends the wait at once when this task is cancelled.
            let wake = min(state.promote(now: MonotonicTime.now).map { max(0, $0 - MonotonicTime.now) } ?? 1, 1)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Woken early (cancelled, once an add ended the wait) or on time: either
                    // way the waiters look at the queue again.
                    do {
                        try await Task.sleep(for: .milliseconds(Int64(wake * 1000) + 1))
                    } catch {}
                    await self.wakeAll()
                }
                await wait()
                group.cancelAll()
            }
        }
        return nil
    }

    func wait() async {
        await withCheckedContinuation { waiters.append($0) }
    }

    func wakeAll() {
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}
