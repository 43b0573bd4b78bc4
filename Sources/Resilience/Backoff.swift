/// Exponential backoff with jitter, for every retry loop in Ebb (the watcher, the work queue,
/// the Kafka client): `base` seconds, doubling per failure, capped at `cap`; the jitter keeps
/// many clients from retrying in step. Pure: the failure count is its only state, and
/// `random` (0...1) is an input, so that tests are exact.
public struct Backoff: Sendable, Hashable {
    public var base: Double
    public var cap: Double
    public private(set) var failures = 0

    public init(base: Double = 0.8, cap: Double = 30) {
        self.base = base
        self.cap = cap
    }

    public init(base: Duration, cap: Duration) {
        self.init(base: base.inSeconds, cap: cap.inSeconds)
    }

    /// The wait after `failures` earlier failures: between half (`random` 0) and all
    /// (`random` 1) of the capped exponential.
    public func delay(afterFailures failures: Int, random: Double) -> Double {
        let exponential = min(cap, base * Double(1 << min(max(failures, 0), 30)))
        return exponential * (0.5 + 0.5 * min(max(random, 0), 1))
    }

    /// The wait after one more failure.
    public mutating func next(random: Double) -> Double {
        defer { failures += 1 }
        return delay(afterFailures: failures, random: random)
    }

    /// `next(random:)` as a Duration, for `Task.sleep`.
    public mutating func nextDuration(random: Double) -> Duration {
        .nanoseconds(Int64(next(random: random) * 1e9))
    }

    public mutating func reset() { failures = 0 }
}
