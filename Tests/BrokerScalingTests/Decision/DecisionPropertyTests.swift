import BrokerScaling
import Foundation
import Testing

/// Properties over many seeded random pools, run the way the operator runs the engine: every
/// polling interval, feeding back the history and the applied count.
struct DecisionPropertyTests {
    typealias F = Fixture

    struct Step {
        let time: Date
        let from: Int32
        let to: Int32
    }

    /// Runs the engine every `interval` seconds for `duration`, with the cluster-wide bytes-in
    /// that `traffic` gives for each step, applying every decision.
    static func run(spec: BrokerPoolSpec, start: Int32, interval: Double, duration: Double, traffic: (Int, Int32) -> Double) -> [Step] {
        var current = start
        var history: ScalingHistory? = nil
        var steps: [Step] = []
        var index = 0
        var elapsed = 0.0
        while elapsed <= duration {
            let now = F.t0.addingTimeInterval(elapsed)
            let total = traffic(index, current)
            let input = DecisionInput(
                now: now, spec: spec, currentReplicas: current,
                metrics: [MetricObservation(name: "bytes-in", samples: [MetricSample(time: now, value: total)])], history: history)
            let decision = DecisionEngine.decide(input)
            history = (history ?? ScalingHistory()).recording(decision, applied: decision.apply, behavior: spec.effectiveBehavior)
            steps.append(Step(time: now, from: current, to: decision.desiredReplicas))
            current = decision.desiredReplicas
            index += 1
            elapsed += interval
        }
        return steps
    }

    static func randomBehavior(_ random: inout SeededRandom) -> ScalingBehavior {
        let up = ScalingRules(
            stabilizationWindowSeconds: Int32(random.int(in: 0...120)), selectPolicy: random.bool() ? .max : .min,
            policies: [
                ScalingPolicy(type: .pods, value: Int32(random.int(in: 1...8)), periodSeconds: Int32(random.int(in: 15...120))),
                ScalingPolicy(type: .percent, value: Int32(random.int(in: 10...200)), periodSeconds: Int32(random.int(in: 15...120)))
            ],
            tolerance: try! Quantity(String(format: "%.2f", random.double(in: 0.01...0.3))))
        let down = ScalingRules(
            stabilizationWindowSeconds: Int32(random.int(in: 0...900)), selectPolicy: random.bool() ? .max : .min,
            policies: [ScalingPolicy(type: .pods, value: Int32(random.int(in: 1...8)), periodSeconds: Int32(random.int(in: 15...300)))],
            tolerance: try! Quantity(String(format: "%.2f", random.double(in: 0.01...0.3))))
        return ScalingBehavior(scaleUp: up, scaleDown: down)
    }

    /// A metric exactly at its target never changes the broker count, whatever the behavior.
    @Test(arguments: 0..<200)
    func constantMetricAtTargetNeverScales(_ seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let minReplicas = Int32(random.int(in: 1...10))
        let maxReplicas = minReplicas + Int32(random.int(in: 0...50))
        let start = Int32(random.int(in: Int(minReplicas)...Int(maxReplicas)))
        let spec = F.spec(min: minReplicas, max: maxReplicas, behavior: Self.randomBehavior(&random))
        let steps = Self.run(spec: spec, start: start, interval: 15, duration: 3600) { _, current in
            120 * F.mebibyte * Double(current)
        }
        #expect(
            steps.allSatisfy { $0.from == $0.to },
            "seed \(seed) changed the count: \(steps.filter { $0.from != $0.to }.prefix(3).map { "\($0.from)→\($0.to)" })")
    }

    /// A metric flapping between two levels scales in at most once per scale-down stabilization
    /// window (with the default scale-down policy, which removes in one step what it removes).
    @Test(arguments: 0..<200)
    func flappingMetricScalesInAtMostOncePerWindow(_ seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 10_000)
        let window = Int32(random.int(in: 30...900))
        let spec = F.spec(min: 1, max: 200, behavior: ScalingBehavior(scaleDown: ScalingRules(stabilizationWindowSeconds: window)))
        let high = random.double(in: 600...6000) * F.mebibyte
        let low = high * random.double(in: 0.1...0.8)
        let strictlyAlternating = random.bool()
        var level = true
        let interval = Double(random.int(in: 5...30))
        let steps = Self.run(spec: spec, start: Int32(random.int(in: 1...60)), interval: interval, duration: 4 * 3600) { index, _ in
            level = strictlyAlternating ? index % 2 == 0 : random.bool()
            return level ? high : low
        }
        let scaleIns = steps.filter { $0.to < $0.from }.map(\.time)
        for (earlier, later) in zip(scaleIns, scaleIns.dropFirst()) {
            #expect(
                later.timeIntervalSince(earlier) >= Double(window),
                "seed \(seed): scale-ins \(later.timeIntervalSince(earlier)) s apart with a \(window) s window")
        }
        if strictlyAlternating, window > Int32(interval) {
            // Alternating every interval, the low level never fills a whole window: the only
            // scale-in possible is the one from a start above the high level down to it.
            #expect(scaleIns.count <= 1, "seed \(seed) scaled in \(scaleIns.count) times while alternating")
        }
    }

    /// The same input gives the same decision.
    @Test func deterministic() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<100 {
            let spec = F.spec(min: 1, max: 40, behavior: Self.randomBehavior(&random))
            let input = F.input(spec, current: Int32(random.int(in: 1...40)), [F.bytesIn(random.double(in: 1...500), brokers: 10)])
            #expect(DecisionEngine.decide(input) == DecisionEngine.decide(input))
        }
    }
}

/// Seeded randomness for the property tests, on the planner's SplitMix64, so that every seed
/// replays exactly.
struct SeededRandom {
    var generator: SplitMix
    init(seed: UInt64) { generator = SplitMix(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * generator.unit()
    }

    mutating func bool() -> Bool { next() & 1 == 1 }
}
