import BrokerScaling
import Foundation
import Testing

/// Just after a scale-in, the rate window still holds the series of the pod that went: 3
/// brokers at 100 MiB/s and the fourth's last minute at 75 sum to 375 MiB/s. Shared among the 3
/// brokers that are there, that read as 125 MiB/s each and scaled out again at once; `ebb
/// simulate` showed the pool flapping 3 → 4 → 3 every 7 minutes for 12 hours after a flash
/// sale. HPA averages over the pods that exist; the series' average stands for them here.
struct GoneBrokerSeriesTests {
    typealias F = Fixture
    static let spec = F.spec(min: 3, max: 64, metrics: [.throughput(.in, perBroker: try! Quantity("105Mi"))])

    @Test func aGoneBrokersSeriesDoesNotScaleTheSurvivorsOut() {
        let reading = MetricObservation(
            name: "bytes-in", samples: [MetricSample(time: F.t0, value: 375 * F.mebibyte)], reportingBrokers: 4)
        let decision = DecisionEngine.decide(F.input(Self.spec, current: 3, [reading]))
        #expect(decision.desiredReplicas == 3, "\(decision.reason)")
        let proposal = decision.proposals.first
        #expect(proposal?.value.map { ($0 / F.mebibyte).rounded() } == 94, "the average over the 4 series: \(String(describing: proposal?.value))")
    }

    @Test func aRealRiseStillScalesOutWithAGoneBrokersSeriesInTheWindow() {
        // 3 brokers at 150 MiB/s and the gone one's 75: the survivors are saturated.
        let reading = MetricObservation(
            name: "bytes-in", samples: [MetricSample(time: F.t0, value: 525 * F.mebibyte)], reportingBrokers: 4)
        let decision = DecisionEngine.decide(F.input(Self.spec, current: 3, [reading]))
        #expect(decision.desiredReplicas == 4, "\(decision.reason)")
    }

    @Test func asManySeriesAsBrokersIsHPAsArithmetic() {
        let reading = MetricObservation(
            name: "bytes-in", samples: [MetricSample(time: F.t0, value: 375 * F.mebibyte)], reportingBrokers: 3)
        #expect(DecisionEngine.decide(F.input(Self.spec, current: 3, [reading])).desiredReplicas == 4)
    }
}
