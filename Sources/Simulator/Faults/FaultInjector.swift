import BrokerScaling
import NIOConcurrencyHelpers

/// The faults a served world injects, seeded and counted: what a busy or flaky API server, a
/// Kafka controller that moved, and a crashing broker do to an operator. Each request that can
/// fail fails with probability `rate`.
public final class FaultInjector: Sendable {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        /// 409 Conflict on a write, as when another writer got there first.
        case conflict = "409"
        /// 410 Gone on a watch: the resourceVersion was compacted; list again.
        case gone = "410"
        /// 429 Too Many Requests (API priority and fairness).
        case throttled = "429"
        /// 500 Internal Server Error.
        case internalError = "500"
        /// A watch stream that ends early, as a load balancer or API server restart ends it.
        case watchDropped = "watch-drop"
        /// A Kafka request that is never answered.
        case kafkaTimeout = "kafka-timeout"
        /// NOT_CONTROLLER on an admin request, as after a controller failover.
        case notController = "not-controller"
        /// A broker pod that dies (its StatefulSet recreates it).
        case brokerVanished = "broker-vanished"
    }

    public let rate: Double
    private let state: NIOLockedValueBox<(random: SplitMix, counts: [Kind: Int])>

    public init(rate: Double, seed: UInt64) {
        self.rate = rate
        state = NIOLockedValueBox((SplitMix(seed: seed), [:]))
    }

    /// One of `kinds` with probability `rate` (counted), else nil.
    public func roll(_ kinds: [Kind]) -> Kind? {
        guard rate > 0, !kinds.isEmpty else { return nil }
        return state.withLockedValue { state in
            let draw = Double(state.random.next() % 1_000_000) / 1_000_000
            guard draw < rate else { return nil }
            let kind = kinds[Int(state.random.next() % UInt64(kinds.count))]
            state.counts[kind, default: 0] += 1
            return kind
        }
    }

    /// A uniform number in 0..<1, for fault timing.
    public func fraction() -> Double { state.withLockedValue { Double($0.random.next() % 1_000_000) / 1_000_000 } }

    /// How many faults of each kind were injected.
    public var counts: [Kind: Int] { state.withLockedValue { $0.counts } }
}
