import BrokerScaling
import Foundation
import Testing

/// Lag targets with `catchUpSeconds` propose what the offered load needs, seen through
/// saturation, instead of multiplying the ready brokers by lag / target.
struct DrainingLagTests {
    typealias F = Fixture
    static let mebibyte = F.mebibyte

    /// A pool sized by bytes in (105 MiB/s per broker at the target) and by a group's lag.
    static func spec(catchUp: Int32?) -> BrokerPoolSpec {
        var spec = F.spec(
            min: 3, max: 64,
            metrics: [
                .throughput(.in, perBroker: Quantity(number: 105 * F.mebibyte)),
                MetricSpec(
                    type: .consumerLag,
                    consumerLag: ConsumerLagMetric(
                        group: "shop", target: MetricTarget(type: .averageValue, averageValue: Quantity(number: 500)), catchUpSeconds: catchUp))
            ])
        spec.behavior = nil
        return spec
    }

    /// 20 s into a 10× step: three brokers saturated at 150 MiB/s each, producers offering
    /// 3000 MiB/s, so the backlog grows by 2550 MiB/s (1 KiB records).
    static func step(served: Double, growthMiB: Double, lagMessages: Double, ready: Int32) -> [MetricObservation] {
        let perSecond = growthMiB * F.mebibyte / 1024
        return [
            MetricObservation(name: "bytes-in", samples: [MetricSample(time: F.t0, value: served * F.mebibyte)], reportingBrokers: ready),
            MetricObservation(
                name: "lag:shop",
                samples: [
                    MetricSample(time: F.ago(20), value: lagMessages - 20 * perSecond),
                    MetricSample(time: F.t0, value: lagMessages)
                ], partitions: 120)
        ]
    }

    @Test func aLagThatDrainsAsksForWhatTheOfferedLoadNeeds() {
        let lag = 20 * 2550 * F.mebibyte / 1024
        let metrics = Self.step(served: 450, growthMiB: 2550, lagMessages: lag, ready: 3)
        let decision = DecisionEngine.decide(F.input(Self.spec(catchUp: 600), current: 3, metrics, ready: 3))
        let demand = try! #require(decision.demand)
        #expect(abs(demand.offeredBytesPerSecond / Self.mebibyte - 3000) < 1, "offered = served 450 + growth 2550")
        #expect(abs(demand.brokersForOfferedLoad - 3000.0 / 105) < 0.01)
        let lagProposal = decision.proposals.first { $0.metric == "lag:shop" }
        // 3000 MiB/s at 105 MiB/s per broker: 29 brokers (the backlog drains through the
        // headroom of saturated brokers within 600 s).
        #expect(lagProposal?.proposedReplicas == 29)
        #expect(decision.reason.contains("drained within 600 s; offered"), "\(decision.reason)")

        // The stock arithmetic, 15 s later (the lag lasted), asks for hundreds of brokers.
        let later = Self.step(served: 450, growthMiB: 2550, lagMessages: 35 * 2550 * F.mebibyte / 1024, ready: 3)
        let hpa = DecisionEngine.decide(F.input(Self.spec(catchUp: nil), current: 3, later, ready: 3))
        #expect((hpa.proposals.first { $0.metric == "lag:shop" }?.proposedReplicas ?? 0) > 1000)
    }

    @Test func brokersStartingAreNotAskedForTwice() {
        // 15 s later the pool is at 6 (3 still starting) and the backlog kept growing: the lag
        // still asks for what the offered load needs, not twice the pool.
        let lag = 35 * 2550 * F.mebibyte / 1024
        let metrics = Self.step(served: 450, growthMiB: 2550, lagMessages: lag, ready: 3)
        let decision = DecisionEngine.decide(F.input(Self.spec(catchUp: 600), current: 6, metrics, ready: 3))
        #expect(decision.proposals.first { $0.metric == "lag:shop" }?.proposedReplicas == 29)
        let later = DecisionEngine.decide(F.input(Self.spec(catchUp: 600), current: 12, metrics, ready: 3))
        #expect(later.proposals.first { $0.metric == "lag:shop" }?.proposedReplicas == 29)
    }

    @Test func aBacklogBeyondTheHeadroomAsksForMore() {
        // A short catch-up: draining 2000 s of excess in 60 s needs more than the load alone.
        let lag = 2000 * 100 * F.mebibyte / 1024
        let metrics = Self.step(served: 1000, growthMiB: 0, lagMessages: lag, ready: 10)
        let decision = DecisionEngine.decide(F.input(Self.spec(catchUp: 60), current: 10, metrics, ready: 10))
        let proposal = decision.proposals.first { $0.metric == "lag:shop" }?.proposedReplicas ?? 0
        // (1000 + 200000/60) MiB/s at the 105 MiB/s target (the 100 MiB/s each broker was seen
        // taking is below it, so it is no headroom).
        #expect(proposal == Int32(((1000 + 200_000.0 / 60) / 105).rounded(.up)))
    }

    @Test func withoutBytesInTheDrainingTargetIsRefusedAndUnavailable() {
        var spec = F.spec(
            min: 3, max: 64,
            metrics: [
                MetricSpec(
                    type: .consumerLag,
                    consumerLag: ConsumerLagMetric(
                        group: "shop", target: MetricTarget(type: .averageValue, averageValue: Quantity(number: 500)), catchUpSeconds: 300))
            ])
        spec.behavior = nil
        #expect(BrokerPoolValidator.problems(in: spec).contains { $0.description.contains("catchUpSeconds") })
        let decision = DecisionEngine.decide(F.input(spec, current: 4, [.value("lag:shop", 1e6, at: F.t0, partitions: 120)]))
        #expect(decision.proposals.first?.available == false)
        #expect(decision.desiredReplicas == 4, "no scale-in on what cannot be estimated")
    }

    @Test func aConfiguredCapacityIsTheOneUsed() {
        var spec = Self.spec(catchUp: 600)
        spec.capacity = BrokerCapacity(bytesInPerSecond: Quantity(number: 50 * Self.mebibyte))
        let metrics = Self.step(served: 500, growthMiB: 0, lagMessages: 0, ready: 5)
        let decision = DecisionEngine.decide(F.input(spec, current: 5, metrics, ready: 5))
        #expect(decision.demand?.capacitySource == "spec.capacity.bytesInPerSecond")
        #expect(decision.proposals.first { $0.metric == "lag:shop" }?.proposedReplicas == 10)
    }

    @Test func kafkaUnreadableHoldsAScaleIn() {
        let spec = F.spec(min: 1, max: 20)
        var input = F.input(spec, current: 10, [F.bytesIn(100, brokers: 10)])
        input.kafkaUnreadable = "connection refused"
        let decision = DecisionEngine.decide(input)
        #expect(decision.desiredReplicas == 10)
        #expect(decision.limitedBy?.rule == .blind)
        #expect(decision.blindness?.contains("connection refused") == true)
        #expect(decision.reason.contains("so no broker is removed"), "\(decision.reason)")
    }

    /// Five minutes into the step the pool is at 31, 26 of them ready, and consumers are behind:
    /// the backlog grows by 2.4 GiB/s although the ready brokers carry only 54 MiB/s each. That
    /// growth is fetches falling behind, not unserved produce (ebb simulate's flash sale asked
    /// for 38, 43, 52 and 59 brokers on it, where 29 carry the load).
    @Test func aBacklogGrowingUnderUnderloadedBrokersIsNotCountedAsDemand() throws {
        let lag = 1_500_000.0 * 120
        let metrics = Self.step(served: 1400, growthMiB: 2400, lagMessages: lag, ready: 26)
        let decision = DecisionEngine.decide(F.input(Self.spec(catchUp: 300), current: 31, metrics, ready: 26))
        let demand = try #require(decision.demand)
        #expect(!demand.backlogGrowthCounted)
        #expect(abs(demand.offeredBytesPerSecond / Self.mebibyte - 1400) < 1)
        #expect(demand.summary.contains("is fetches falling behind, not unserved produce"), "\(demand.summary)")
        #expect(decision.desiredReplicas == 31, "served 1400 MiB/s and the drain ask for 19; the rising lag holds a scale-in: \(decision.reason)")

        // A backlog to drain within 30 s asks for about 55 on the same readings; the five brokers on
        // the way are capacity not yet seen, so the pool waits for them first.
        let hurried = DecisionEngine.decide(F.input(Self.spec(catchUp: 30), current: 31, metrics, ready: 26))
        #expect(hurried.desiredReplicas == 31, "\(hurried.reason)")
        #expect(hurried.limitedBy?.rule == .capacityOnTheWay, "\(hurried.reason)")
        #expect(hurried.reason.contains("5 brokers are still starting and the 26 ready ones carry"), "\(hurried.reason)")

        // The same growth with saturated brokers (150 MiB/s each, over the target) is demand.
        let saturated = DecisionEngine.decide(
            F.input(Self.spec(catchUp: 300), current: 3, Self.step(served: 450, growthMiB: 2400, lagMessages: lag, ready: 3), ready: 3))
        #expect(saturated.demand?.backlogGrowthCounted == true)
        #expect(saturated.desiredReplicas > 3)
    }

    /// Brokers serve the backlog beside the producers: bytes in above the target while the
    /// lag drains within catchUpSeconds asks for no more brokers.
    @Test func aBacklogThatDrainsInTimeHoldsAScaleOut() {
        let perSecond = 1500 * F.mebibyte / 1024
        let metrics = [
            MetricObservation(name: "bytes-in", samples: [MetricSample(time: F.t0, value: 57 * 118 * F.mebibyte)], reportingBrokers: 57),
            MetricObservation(
                name: "lag:shop",
                samples: [
                    MetricSample(time: F.ago(60), value: 300_000_000 + 60 * perSecond),
                    MetricSample(time: F.t0, value: 300_000_000)
                ], partitions: 120)
        ]
        let decision = DecisionEngine.decide(F.input(Self.spec(catchUp: 300), current: 57, metrics, ready: 57))
        #expect(decision.desiredReplicas == 57, "\(decision.reason)")
        #expect(decision.limitedBy?.rule == .capacityOnTheWay)
        #expect(decision.reason.contains("drains within"), "\(decision.reason)")

        // Without catchUpSeconds (HPA's semantics) the same readings scale out as HPA would.
        let hpa = DecisionEngine.decide(F.input(Self.spec(catchUp: nil), current: 57, metrics, ready: 57))
        #expect(hpa.desiredReplicas > 57)
    }
}
