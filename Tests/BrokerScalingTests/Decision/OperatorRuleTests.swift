import BrokerScaling
import Foundation
import Testing

/// The rules Ebb adds to HPA's: partitions, schedules, pauses, dry-run, fallback, blindness,
/// reassignments and rising lag. Each must be named as the reason when it wins.
struct OperatorRuleTests {
    typealias F = Fixture
    static let quickDown = ScalingBehavior(scaleDown: Fixture.rules(window: 0))

    @Test func neverMoreBrokersThanPartitionReplicasCanUse() {
        var input = F.input(F.spec(), current: 4, [F.bytesIn(360, brokers: 4)])  // wants 12
        input.partitionReplicas = 8
        let decision = DecisionEngine.decide(input)
        #expect(decision.desiredReplicas == 8)
        #expect(decision.limitedBy?.rule == .partitionCount)
        #expect(
            decision.reason
                == "scale out 4→8: bytes-in 360 MiB/s per broker vs target 120 MiB/s; wanted 12, limited by 8 partition replicas: a broker beyond that takes no load"
        )
    }

    @Test func evenSpreadRoundsAScaleOutUp() {
        var spec = F.spec()
        spec.partitionAwareness = PartitionAwareness(evenSpread: true)
        var input = F.input(spec, current: 4, [F.bytesIn(200, brokers: 4)])  // wants 7
        input.partitionReplicas = 96
        let decision = DecisionEngine.decide(input)
        #expect(decision.desiredReplicas == 8)
        #expect(decision.limitedBy?.rule == .evenSpread)
        #expect(
            decision.reason
                == "scale out 4→8: bytes-in 200 MiB/s per broker vs target 120 MiB/s; rounded 7→8 so that 96 partition replicas spread evenly")
        // Without the option, 7.
        input.spec.partitionAwareness = nil
        #expect(DecisionEngine.decide(input).desiredReplicas == 7)
    }

    @Test func anOpenScheduleIsAFloor() {
        var spec = F.spec(min: 3, max: 24)
        spec.schedules = [
            ScalingSchedule(name: "black-friday", minReplicas: 16, timeZone: "America/New_York", start: "2026-11-27T05:00", end: "2026-11-28T02:00")
        ]
        let open = DecisionEngine.decide(F.input(spec, current: 6, [F.bytesIn(60, brokers: 6)]))
        #expect(open.desiredReplicas == 16)
        #expect(open.limitedBy == Decision.Limit(.schedule, "schedule black-friday (at least 16)"))
        #expect(open.reason.hasPrefix("scale out 6→16"))
        // During the window, low traffic does not take the pool below 16.
        let during = DecisionEngine.decide(
            F.input(F.spec(min: 3, max: 24, behavior: Self.quickDown).with(schedules: spec.schedules), current: 16, [F.bytesIn(10, brokers: 16)]))
        #expect(during.desiredReplicas == 16)
        // After the window, it may.
        let after = F.t0.addingTimeInterval(86_400)
        let closed = DecisionEngine.decide(
            F.input(
                F.spec(min: 3, max: 24, behavior: Self.quickDown).with(schedules: spec.schedules), current: 16,
                [F.bytesIn(10, brokers: 16, at: after)], now: after))
        #expect(closed.desiredReplicas == 3)
    }

    @Test func pausedHoldsAndSaysSo() {
        var spec = F.spec()
        spec.paused = true
        let decision = DecisionEngine.decide(F.input(spec, current: 4, [F.bytesIn(360, brokers: 4)]))
        #expect(decision.desiredReplicas == 4 && !decision.apply)
        #expect(decision.limitedBy?.rule == .paused)
        #expect(decision.reason == "hold at 4: bytes-in 360 MiB/s per broker vs target 120 MiB/s; change to 8 held: spec.paused")
        #expect(decision.conditions.contains { $0.type == .scalingActive && $0.status == .false && $0.reason == "Paused" })
    }

    @Test func pausedDirectionsHoldOnlyTheirDirection() {
        var spec = F.spec(behavior: Self.quickDown)
        spec.pausedScaleIn = true
        #expect(DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(12, brokers: 10)])).limitedBy?.rule == .pausedScaleIn)
        #expect(DecisionEngine.decide(F.input(spec, current: 4, [F.bytesIn(360, brokers: 4)])).desiredReplicas == 8)
        spec.pausedScaleIn = nil
        spec.pausedScaleOut = true
        #expect(DecisionEngine.decide(F.input(spec, current: 4, [F.bytesIn(360, brokers: 4)])).desiredReplicas == 4)
        #expect(DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(12, brokers: 10)])).desiredReplicas == 1)
    }

    @Test func dryRunDecidesButDoesNotApply() {
        var spec = F.spec()
        spec.dryRun = true
        let decision = DecisionEngine.decide(F.input(spec, current: 4, [F.bytesIn(360, brokers: 4)]))
        #expect(decision.desiredReplicas == 8)
        #expect(decision.dryRun && !decision.apply)
        #expect(decision.reason.hasPrefix("dry run, not applied: scale out 4→8"))
    }

    @Test func partialMetricsNeverScaleIn() {
        let spec = F.spec(
            metrics: [
                .throughput(.in, perBroker: try! Quantity("120Mi")),
                .lag(group: "orders", target: MetricTarget(type: .value, value: try! Quantity("5000")), name: "orders-lag")
            ], behavior: Self.quickDown)
        let down = DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(12, brokers: 10), .failed("orders-lag", "coordinator not available")]))
        #expect(down.desiredReplicas == 10)
        #expect(down.limitedBy?.rule == .partialMetrics)
        #expect(down.reason.contains("scale-in needs every metric; orders-lag could not be read"))
        #expect(down.conditions.contains { $0.type == .metricsAvailable && $0.status == .false && $0.reason == "PartialMetrics" })
        // Scale-up on the metrics that can be read still happens.
        let up = DecisionEngine.decide(F.input(spec, current: 4, [F.bytesIn(360, brokers: 4), .failed("orders-lag", "timeout")]))
        #expect(up.desiredReplicas == 8)
    }

    @Test func blindHoldsUntilTheFallback() {
        var spec = F.spec(behavior: Self.quickDown)
        let failed = [MetricObservation.failed("bytes-in", "connection refused")]
        let blind = DecisionEngine.decide(F.input(spec, current: 10, failed))
        #expect(blind.desiredReplicas == 10 && !blind.apply)
        #expect(blind.limitedBy?.rule == .blind)
        #expect(blind.recordedRecommendation == nil)
        #expect(blind.reason == "hold at 10: no metric could be read (1 in a row); not scaling in while blind")

        spec.fallback = FallbackSpec(failureThreshold: 3, replicas: 14)
        var input = F.input(spec, current: 10, failed)
        input.consecutiveMetricFailures = 1
        #expect(DecisionEngine.decide(input).desiredReplicas == 10)  // the 2nd failure
        input.consecutiveMetricFailures = 2
        let fallback = DecisionEngine.decide(input)  // the 3rd
        #expect(fallback.desiredReplicas == 14)
        #expect(fallback.limitedBy?.rule == .fallback)
        // A fallback below the current count never scales in.
        input.currentReplicas = 20
        #expect(DecisionEngine.decide(input).desiredReplicas == 20)
    }

    @Test func staleReadingsAreNotUsed() {
        let old = F.ago(120)
        let decision = DecisionEngine.decide(F.input(F.spec(behavior: Self.quickDown), current: 10, [F.bytesIn(12, brokers: 10, at: old)]))
        #expect(decision.desiredReplicas == 10)
        #expect(decision.proposals.first?.error == "stale: the last reading is 120 s old")
    }

    @Test func noScaleInDuringAReassignment() {
        var input = F.input(F.spec(behavior: Self.quickDown), current: 10, [F.bytesIn(12, brokers: 10)])
        input.reassignmentInProgress = true
        let decision = DecisionEngine.decide(input)
        #expect(decision.desiredReplicas == 10)
        #expect(decision.limitedBy?.rule == .reassignmentInProgress)
        // A spike during a reassignment still scales out.
        input.metrics = [F.bytesIn(360, brokers: 10)]
        #expect(DecisionEngine.decide(input).desiredReplicas == 20)
    }

    @Test func noScaleInWhileLagRises() {
        let spec = F.spec(
            metrics: [
                .throughput(.in, perBroker: try! Quantity("120Mi")),
                .lag(group: "orders", target: MetricTarget(type: .value, value: try! Quantity("100000")), name: "orders-lag")
            ], behavior: Self.quickDown)
        let rising = MetricObservation(
            name: "orders-lag", samples: [MetricSample(time: F.ago(30), value: 10_000), MetricSample(time: F.t0, value: 14_000)])
        let decision = DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(12, brokers: 10), rising]))
        #expect(decision.desiredReplicas == 10)
        #expect(decision.limitedBy == Decision.Limit(.lagRising, "consumer lag orders-lag is rising"))
        let falling = MetricObservation(
            name: "orders-lag", samples: [MetricSample(time: F.ago(30), value: 14_000), MetricSample(time: F.t0, value: 10_000)])
        #expect(DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(12, brokers: 10), falling])).desiredReplicas == 1)
    }

    @Test func externalReplicasAreFollowedWithinBounds() {
        var spec = F.spec(min: 2, max: 12)
        spec.replicas = 8
        let decision = DecisionEngine.decide(F.input(spec, current: 4, [F.bytesIn(10, brokers: 4)]))
        #expect(decision.desiredReplicas == 8)
        #expect(decision.reason == "scale out 4→8: spec.replicas is 8 (driven through the scale subresource)")
        spec.replicas = 30
        #expect(DecisionEngine.decide(F.input(spec, current: 4, [])).desiredReplicas == 12)
        spec.replicas = 2
        var input = F.input(spec, current: 6, [])
        input.reassignmentInProgress = true
        #expect(DecisionEngine.decide(input).desiredReplicas == 6)
    }

    @Test func noMetricsMeansBoundsAndSchedulesOnly() {
        let spec = F.spec(min: 3, max: 12, metrics: [])
        let decision = DecisionEngine.decide(F.input(spec, current: 5, []))
        #expect(decision.desiredReplicas == 5)
        #expect(decision.reason == "hold at 5: no metrics configured")
        #expect(DecisionEngine.decide(F.input(spec, current: 1, [])).desiredReplicas == 3)
    }

    @Test func oneScaleInPerScaleDownWindowByDefault() {
        let spec = F.spec()
        // 8 brokers at 60 MiB/s against 120: HPA wants 4. A scale-in 100 s ago holds it.
        let recent = ScalingHistory(scaleEvents: [.init(time: F.ago(100), from: 10, to: 8)])
        let held = DecisionEngine.decide(F.input(spec, current: 8, [F.bytesIn(60, brokers: 8)], history: recent))
        #expect(held.desiredReplicas == 8)
        #expect(held.limitedBy?.rule == .scaleInCooldown)
        #expect(held.limitedBy?.detail == "one scale-in per 300s (spec.scaleInCooldownSeconds); the last was 100s ago")
        // Once the window has passed, it scales in.
        let old = ScalingHistory(scaleEvents: [.init(time: F.ago(301), from: 10, to: 8)])
        #expect(DecisionEngine.decide(F.input(spec, current: 8, [F.bytesIn(60, brokers: 8)], history: old)).desiredReplicas == 4)
        // A scale-out is never delayed by it.
        #expect(DecisionEngine.decide(F.input(spec, current: 8, [F.bytesIn(240, brokers: 8)], history: recent)).desiredReplicas == 16)
        // 0: the stock HPA's behaviour.
        var hpaLike = spec
        hpaLike.scaleInCooldownSeconds = 0
        #expect(DecisionEngine.decide(F.input(hpaLike, current: 8, [F.bytesIn(60, brokers: 8)], history: recent)).desiredReplicas == 4)
        // The pool's history keeps scale-ins for as long as the cooldown needs them.
        // (HPA's own memory forgets events after the longest policy period, 15 s here.)
        #expect(recent.recording(held, applied: false, spec: spec).scaleEvents.map(\.to) == [8])
        #expect(recent.recording(held, applied: false, behavior: spec.effectiveBehavior).scaleEvents.isEmpty)
    }

    @Test func historyRecordsAndForgets() {
        let spec = F.spec()
        let decision = DecisionEngine.decide(F.input(spec, current: 6, [F.bytesIn(182, brokers: 6)]))
        let history = ScalingHistory(recommendations: [.init(time: F.ago(400), replicas: 3)], scaleEvents: [.init(time: F.ago(400), from: 2, to: 3)])
            .recording(decision, applied: true, behavior: spec.effectiveBehavior)
        #expect(history.recommendations == [.init(time: F.t0, replicas: 10)])
        #expect(history.scaleEvents == [.init(time: F.t0, from: 6, to: 10)])
        // Not applied (dry run): the recommendation is remembered, the scale event is not.
        let dry = ScalingHistory().recording(decision, applied: false, behavior: spec.effectiveBehavior)
        #expect(dry.scaleEvents.isEmpty && dry.recommendations.count == 1)
    }
}

extension BrokerPoolSpec {
    func with(schedules: [ScalingSchedule]?) -> BrokerPoolSpec {
        var copy = self
        copy.schedules = schedules
        return copy
    }
}
