import BrokerScaling
import Foundation
import Testing

/// `brokerThroughput.offeredQuery`: what the producers tried to send, which saturated brokers'
/// bytes in cannot show (producers refuse what does not fit in their buffers, so no backlog
/// grows on the Kafka side either).
struct OfferedLoadTests {
    typealias F = Fixture

    static func spec(offered: Bool, catchUp: Int32? = 300) -> BrokerPoolSpec {
        var spec = F.spec(
            min: 3, max: 64,
            metrics: [
                .throughput(
                    .in, perBroker: Quantity(number: 105 * F.mebibyte), offeredQuery: offered ? #"sum(rate(producer_offered_bytes_total[1m]))"# : nil),
                MetricSpec(
                    type: .consumerLag,
                    consumerLag: ConsumerLagMetric(
                        group: "shop", target: MetricTarget(type: .averageValue, averageValue: Quantity(number: 500)), catchUpSeconds: catchUp))
            ])
        spec.behavior = nil
        return spec
    }

    /// A 10× step on three brokers that accept 150 MiB/s each: bytes in reads 450 MiB/s, the lag
    /// stays flat (the producers refuse the rest), the producers offer 3000 MiB/s.
    static func saturated(offered: Double?, offeredError: String? = nil, ready: Int32) -> [MetricObservation] {
        var bytesIn = MetricObservation(name: "bytes-in", samples: [MetricSample(time: F.t0, value: 450 * F.mebibyte)], reportingBrokers: ready)
        bytesIn.offered = offered.map { MetricSample(time: F.t0, value: $0 * F.mebibyte) }
        bytesIn.offeredError = offeredError
        return [
            bytesIn,
            MetricObservation(
                name: "lag:shop", samples: [MetricSample(time: F.ago(20), value: 100), MetricSample(time: F.t0, value: 100)], partitions: 120)
        ]
    }

    @Test func theProducersOfferedLoadSizesASaturatedPool() throws {
        let decision = DecisionEngine.decide(F.input(Self.spec(offered: true), current: 3, Self.saturated(offered: 3000, ready: 3), ready: 3))
        // 3000 MiB/s at 105 MiB/s a broker.
        #expect(decision.proposals.first { $0.metric == "bytes-in" }?.proposedReplicas == 29)
        let demand = try #require(decision.demand)
        #expect(abs(demand.offeredBytesPerSecond / F.mebibyte - 3000) < 1)
        #expect(demand.producerOfferedBytesPerSecond.map { abs($0 / F.mebibyte - 3000) < 1 } == true)
        #expect(demand.summary.contains("what the producers tried to send"), "\(demand.summary)")
        #expect(decision.desiredReplicas > 3)
    }

    @Test func withoutItTheSamePoolAsksOnlyForWhatTheBrokersAccepted() {
        let decision = DecisionEngine.decide(F.input(Self.spec(offered: false), current: 3, Self.saturated(offered: nil, ready: 3), ready: 3))
        // 450 MiB/s at 105: 5 brokers, the ×1.43 per round that hides a 10× step.
        #expect(decision.proposals.first { $0.metric == "bytes-in" }?.proposedReplicas == 5)
        #expect(decision.demand?.producerOfferedBytesPerSecond == nil)
    }

    @Test func anUnreadOfferedQueryFallsBackToBytesInAndSaysSo() {
        let decision = DecisionEngine.decide(
            F.input(
                Self.spec(offered: true), current: 3, Self.saturated(offered: nil, offeredError: "brokerThroughput.offeredQuery: no data", ready: 3),
                ready: 3))
        #expect(decision.proposals.first { $0.metric == "bytes-in" }?.proposedReplicas == 5)
        let condition = decision.conditions.first { $0.type == .metricsAvailable }
        #expect(condition?.status == .true && condition?.reason == "OfferedLoadUnread", "\(String(describing: condition))")
        #expect(condition?.message.contains("no data") == true)
    }

    @Test func brokersOnTheWayDoNotHoldWhatTheProducersSayIsMore() {
        // Seven brokers, three ready and carrying under the target each (the rate window has not
        // caught up): without the producers' word the lag rule waits for the brokers on the way;
        // with it, 3000 MiB/s is more than seven carry, so the pool goes on.
        var observations = Self.saturated(offered: 3000, ready: 3)
        observations[0].samples = [MetricSample(time: F.t0, value: 300 * F.mebibyte)]
        let decision = DecisionEngine.decide(F.input(Self.spec(offered: true), current: 7, observations, ready: 3))
        #expect(decision.limitedBy?.rule != .capacityOnTheWay, "\(decision.reason)")
        #expect(decision.desiredReplicas > 7)

        observations[0].offered = nil
        let blind = DecisionEngine.decide(F.input(Self.spec(offered: true), current: 7, observations, ready: 3))
        #expect(blind.desiredReplicas <= 7)
    }

    @Test func aStaleOrNegativeOfferedReadingIsNotUsed() {
        var observations = Self.saturated(offered: 3000, ready: 3)
        observations[0].offered = MetricSample(time: F.ago(600), value: 3000 * F.mebibyte)
        let stale = DecisionEngine.decide(F.input(Self.spec(offered: true), current: 3, observations, ready: 3))
        #expect(stale.proposals.first { $0.metric == "bytes-in" }?.proposedReplicas == 5)
        observations[0].offered = MetricSample(time: F.t0, value: -1)
        let negative = DecisionEngine.decide(F.input(Self.spec(offered: true), current: 3, observations, ready: 3))
        #expect(negative.proposals.first { $0.metric == "bytes-in" }?.proposedReplicas == 5)
    }

    @Test func offeredQueryBelongsToBytesIn() {
        var spec = Self.spec(offered: false)
        spec.metrics?.append(
            MetricSpec(
                type: .brokerThroughput, name: "out",
                brokerThroughput: BrokerThroughputMetric(
                    direction: .out, target: MetricTarget(type: .averageValue, averageValue: Quantity(number: 300 * F.mebibyte)),
                    offeredQuery: "sum(x)")))
        let problems = BrokerPoolValidator.problems(in: spec)
        #expect(
            problems.contains { $0.path == "spec.metrics[2].brokerThroughput.offeredQuery" && $0.message.contains("direction In") }, "\(problems)")
        #expect(BrokerPoolValidator.problems(in: Self.spec(offered: true)).isEmpty)
    }
}
