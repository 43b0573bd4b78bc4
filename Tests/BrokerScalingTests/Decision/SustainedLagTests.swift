import BrokerScaling
import Foundation
import Testing

/// Lag acts on the decision only when it lasted: a partition move leaves a burst of lag that
/// drains at once, and must not buy brokers.
struct SustainedLagTests {
    static let spec = Fixture.spec(
        min: 3, max: 64, metrics: [.lag(group: "shop", target: MetricTarget(type: .averageValue, averageValue: try! Quantity("500")))])

    static func lag(_ values: [Double]) -> MetricObservation {
        let samples = values.enumerated().map {
            MetricSample(time: Fixture.t0.addingTimeInterval(Double($0.offset - values.count + 1) * 10), value: $0.element)
        }
        return MetricObservation(name: Self.spec.metrics![0].displayName, samples: samples, partitions: 100)
    }

    @Test func aBurstOfLagBuysNoBroker() {
        let decision = DecisionEngine.decide(Fixture.input(Self.spec, current: 6, [Self.lag([0, 0, 2_000_000])]))
        #expect(decision.desiredReplicas == 6, "\(decision.reason)")
    }

    @Test func lagThatLastsScalesOut() {
        let decision = DecisionEngine.decide(Fixture.input(Self.spec, current: 6, [Self.lag([900_000, 1_500_000, 2_000_000])]))
        #expect(decision.desiredReplicas > 6, "\(decision.reason)")
    }

    @Test func aSingleReadingIsTakenAsItIs() {
        let decision = DecisionEngine.decide(Fixture.input(Self.spec, current: 6, [Self.lag([2_000_000])]))
        #expect(decision.desiredReplicas > 6)
    }
}
