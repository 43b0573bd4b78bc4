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
        #expect(
            demand.summary.contains("offeredQuery: read 1.86 GiB/s, rising 45 MiB/s each second, carried 15 s forward (offeredReadingAgeSeconds)"),
            "\(demand.summary)")

        // As read without the age: 1900 / 105.
        let asRead = DecisionEngine.decide(F.input(Self.spec(age: nil), current: 3, Self.observations(offered: [1000, 1450, 1900]), ready: 3))
        #expect(Self.bytesInProposal(asRead) == 19)
        #expect(asRead.demand?.summary.contains("carried") == false)
    }

    @Test func aFallingOrFlatAnswerIsUsedAsRead() throws {
        // Falling, flat, and rising then falling (the trend over the window still rises).
        for offered in [[2600.0, 2300, 2000], [2000, 2000, 2000], [1000, 2100, 2000]] {
            let decision = DecisionEngine.decide(F.input(Self.spec(age: 60), current: 3, Self.observations(offered: offered), ready: 3))
            let reading = try #require(decision.demand?.producerOffered, "\(offered)")
            #expect(reading.bytesPerSecond == 2000 * F.mebibyte && reading.risePerSecond == nil && !reading.carried, "\(offered): \(reading)")
            #expect(Self.bytesInProposal(decision) == 20, "\(offered)")  // 2000 / 105
        }
    }

    @Test func anAnswerRepeatedBetweenScrapesStillCarriesTheRise() throws {
        // Polls every 10 s, scrapes every 15 s: the newest answer may repeat the one before.
        // The rise is the last change, 1000 → 1450 over 20 s.
        let decision = DecisionEngine.decide(F.input(Self.spec(age: 15), current: 3, Self.observations(offered: [1000, 1450, 1450]), ready: 3))
        let reading = try #require(decision.demand?.producerOffered)
        #expect(abs(reading.bytesPerSecond / F.mebibyte - 1787.5) < 0.01, "\(reading)")
    }

    @Test func theCarryIsNeverMoreThanTheRiseSeen() {
        // Two answers 10 s apart, 100 MiB/s apart, carried 300 s: at most the 100 seen.
        let decision = DecisionEngine.decide(F.input(Self.spec(age: 300), current: 3, Self.observations(offered: [1900, 2000]), ready: 3))
        #expect(Self.bytesInProposal(decision) == 20)  // 2100 / 105
        #expect(decision.demand.map { abs($0.offeredBytesPerSecond / F.mebibyte - 2100) < 1 } == true)
    }

    @Test func answersOutsideTheTrendWindowOrUnusableAreLeftOut() throws {
        func reading(_ earlier: [MetricSample]) throws -> OfferedReading {
            var observations = Self.observations(offered: [1900])
            observations[0].offeredEarlier = earlier
            return try #require(DecisionEngine.decide(F.input(Self.spec(age: 15), current: 3, observations, ready: 3)).demand?.producerOffered)
        }
        // Older than the trend window (a minute at this polling interval): nothing to carry.
        #expect(try reading([MetricSample(time: F.ago(600), value: 100 * F.mebibyte)]).bytesPerSecond == 1900 * F.mebibyte)
        // From the future: left out.
        #expect(try reading([MetricSample(time: F.t0.addingTimeInterval(30), value: 100 * F.mebibyte)]).bytesPerSecond == 1900 * F.mebibyte)
        // A negative or NaN answer first, a good one after: the trend is from the good one alone,
        // 1800 → 1900 over 10 s, carried 15 s but by no more than the 100 seen.
        for bad in [-500.0, .nan] {
            let carried = try reading([
                MetricSample(time: F.ago(20), value: bad * F.mebibyte), MetricSample(time: F.ago(10), value: 1800 * F.mebibyte)
            ])
            #expect(abs(carried.bytesPerSecond / F.mebibyte - 2000) < 0.01, "\(bad): \(carried)")
        }
        // Out of order: sorted by time before the trend is read, so the rise seen is 1700 → 1900
        // and 150 of it is carried (unsorted, 1800 would pass for the oldest: 100 at most).
        let unordered = try reading([MetricSample(time: F.ago(10), value: 1800 * F.mebibyte), MetricSample(time: F.ago(20), value: 1700 * F.mebibyte)]
        )
        #expect(abs(unordered.bytesPerSecond / F.mebibyte - 2050) < 0.01, "\(unordered)")
    }

    @Test func brokersOnTheWayHoldUnlessTheAnswerAsReadIsMore() {
        // Seven brokers, three ready at 100 MiB/s each (under the 105 target): the brokers on the
        // way are capacity not yet seen. The producers' answer as read, 700 MiB/s, is under the
        // 735 seven carry; carried along its rise it is 925. Only what was read lifts the hold.
        var observations = Self.observations(offered: [400, 550, 700])
        observations[0].samples = [MetricSample(time: F.t0, value: 300 * F.mebibyte)]
        let decision = DecisionEngine.decide(F.input(Self.spec(age: 15), current: 7, observations, ready: 3))
        #expect(decision.limitedBy?.rule == .capacityOnTheWay, "\(decision.reason)")
        #expect(decision.desiredReplicas == 7)
        #expect(decision.demand?.producerOffered?.carried == true)
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
