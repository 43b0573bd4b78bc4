import BrokerScaling
import Foundation
import Testing

/// `brokerThroughput.offeredReadingAgeSeconds`: a rate describes its window's middle, so on a
/// steep ramp the producers' rate is read late; while it rises, the newest answer is carried
/// forward along its trend by the answer's age.
struct OfferedReadingTests {
    typealias F = Fixture

    static func spec(age: Int32?) -> BrokerPoolSpec {
        var spec = OfferedLoadTests.spec(offered: true)
        spec.metrics?[0].brokerThroughput?.offeredQuery = #"sum(irate(producer_offered_bytes_total[1m]))"#
        spec.metrics?[0].brokerThroughput?.offeredReadingAgeSeconds = age
        return spec
    }

    /// Three saturated brokers; the producers' answers, MiB/s, 10 s apart, the newest now.
    static func observations(offered: [Double]) -> [MetricObservation] {
        var observations = OfferedLoadTests.saturated(offered: offered.last, ready: 3)
        let earlier = offered.dropLast().enumerated().map { index, value in
            MetricSample(time: F.ago(Double(10 * (offered.count - 1 - index))), value: value * F.mebibyte)
        }
        observations[0].offeredEarlier = earlier
        return observations
    }

    static func bytesInProposal(_ decision: Decision) -> Int32? {
        decision.proposals.first { $0.metric == "bytes-in" }?.proposedReplicas
    }

    @Test func aRisingAnswerIsCarriedForwardByItsAge() throws {
        // 1000 → 1450 → 1900 MiB/s: 45 MiB/s more each second; 15 s forward is 2575 MiB/s.
        let decision = DecisionEngine.decide(F.input(Self.spec(age: 15), current: 3, Self.observations(offered: [1000, 1450, 1900]), ready: 3))
        #expect(Self.bytesInProposal(decision) == 25)  // 2575 / 105
        let demand = try #require(decision.demand)
        #expect(abs(demand.offeredBytesPerSecond / F.mebibyte - 2575) < 1)
        #expect(demand.producerOffered.map { abs($0.read / F.mebibyte - 1900) < 1 } == true)
        #expect(demand.summary.contains("rising 45 MiB/s each second, carried 15 s forward"), "\(demand.summary)")

        // As read without the age: 1900 / 105.
        let asRead = DecisionEngine.decide(F.input(Self.spec(age: nil), current: 3, Self.observations(offered: [1000, 1450, 1900]), ready: 3))
        #expect(Self.bytesInProposal(asRead) == 19)
        #expect(asRead.demand?.summary.contains("carried") == false)
    }

    @Test func aFallingOrFlatAnswerIsUsedAsRead() {
        for offered in [[2600.0, 2300, 2000], [2000, 2000, 2000]] {
            let decision = DecisionEngine.decide(F.input(Self.spec(age: 60), current: 3, Self.observations(offered: offered), ready: 3))
            #expect(Self.bytesInProposal(decision) == 20, "\(offered)")  // 2000 / 105
            #expect(decision.demand?.producerOffered?.risePerSecond == nil)
        }
    }

    @Test func theCarryIsNeverMoreThanTheRiseSeen() {
        // Two answers 10 s apart, 100 MiB/s apart, carried 300 s: at most the 100 seen.
        let decision = DecisionEngine.decide(F.input(Self.spec(age: 300), current: 3, Self.observations(offered: [1900, 2000]), ready: 3))
        #expect(Self.bytesInProposal(decision) == 20)  // 2100 / 105
        #expect(decision.demand.map { abs($0.offeredBytesPerSecond / F.mebibyte - 2100) < 1 } == true)
    }

    @Test func answersOutsideTheTrendWindowOrUnusableAreLeftOut() {
        var observations = Self.observations(offered: [1900])
        // Older than the trend window (a minute at this polling interval), from the future, not a number.
        observations[0].offeredEarlier = [
            MetricSample(time: F.ago(600), value: 100 * F.mebibyte),
            MetricSample(time: F.t0.addingTimeInterval(30), value: 100 * F.mebibyte),
            MetricSample(time: F.ago(10), value: .nan)
        ]
        let decision = DecisionEngine.decide(F.input(Self.spec(age: 15), current: 3, observations, ready: 3))
        #expect(Self.bytesInProposal(decision) == 19)
        #expect(decision.demand?.producerOffered?.risePerSecond == nil)
    }

    @Test func theAgeNeedsOfferedQuery() {
        var spec = Self.spec(age: 15)
        spec.metrics?[0].brokerThroughput?.offeredQuery = nil
        let problems = BrokerPoolValidator.problems(in: spec)
        #expect(
            problems.contains { $0.path == "spec.metrics[0].brokerThroughput.offeredReadingAgeSeconds" && $0.message.contains("needs offeredQuery") },
            "\(problems)")
        #expect(BrokerPoolValidator.problems(in: Self.spec(age: 15)).isEmpty)
    }
}
