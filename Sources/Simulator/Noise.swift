import BrokerScaling

/// Seeded noise on traffic (±4 %, a new value every minute); seeds are hashed, so that
/// neighbouring seeds give unrelated noise.
package struct Noise: Sendable {
    package let seed: UInt64

    package init(seed: UInt64) {
        self.seed = seed
    }

    package static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var first = SplitMix(seed: a)
        var second = SplitMix(seed: first.next() ^ b)
        return second.next()
    }

    package func factor(at seconds: Double) -> Double {
        var random = SplitMix(seed: Self.mix(seed, UInt64(max(0, seconds / 60))))
        return 0.96 + 0.08 * Double(random.next() % 10_000) / 10_000
    }
}
