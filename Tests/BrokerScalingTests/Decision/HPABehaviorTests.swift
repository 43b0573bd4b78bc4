import BrokerScaling
import Foundation
import Testing

/// The numbers an HPA user expects from `behavior`, including the worked examples of the
/// Kubernetes HorizontalPodAutoscaler documentation.
struct HPABehaviorTests {
    typealias F = Fixture

    // MARK: The per-metric formula and tolerance

    @Test func desiredIsCeilOfCurrentTimesRatio() {
        // 6 brokers at 182 MiB/s against 120 MiB/s: ceil(6 × 182 / 120) = ceil(9.1) = 10.
        let decision = DecisionEngine.decide(F.input(F.spec(), current: 6, [F.bytesIn(182, brokers: 6)]))
        #expect(decision.proposals.first?.proposedReplicas == 10)
        #expect(decision.desiredReplicas == 10)
        #expect(decision.direction == .up && decision.apply)
        #expect(decision.reason == "scale out 6→10: bytes-in 182 MiB/s per broker vs target 120 MiB/s")
    }

    @Test(arguments: [(126.0, Int32(10)), (108.5, 10), (132.5, 12), (107.0, 9)])
    func defaultToleranceIsTenPercent(_ perBroker: Double, _ expected: Int32) {
        // Within ±10 % of 120 MiB/s (108–132): no change.
        let decision = DecisionEngine.decide(F.input(F.spec(), current: 10, [F.bytesIn(perBroker, brokers: 10)]))
        #expect(decision.desiredReplicas == expected)
    }

    @Test func toleranceIsPerDirection() {
        let spec = F.spec(behavior: ScalingBehavior(scaleUp: F.rules(tolerance: "0.3"), scaleDown: F.rules(window: 0, tolerance: "0.02")))
        // +25 %: within the 30 % scale-up tolerance.
        #expect(DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(150, brokers: 10)])).desiredReplicas == 10)
        // −5 %: outside the 2 % scale-down tolerance: ceil(10 × 114 / 120) = 10 … so −9 %: 9.
        #expect(DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(109, brokers: 10)])).desiredReplicas == 10)
        #expect(DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(96, brokers: 10)])).desiredReplicas == 8)
    }

    // MARK: Several metrics, missing and unready brokers

    @Test func largestProposalWinsAndIsRecorded() {
        let spec = F.spec(metrics: [
            .throughput(.in, perBroker: try! Quantity("120Mi")),
            .lag(group: "orders", target: MetricTarget(type: .value, value: try! Quantity("5000")), name: "orders-lag")
        ])
        let decision = DecisionEngine.decide(
            F.input(
                spec, current: 4,
                [
                    F.bytesIn(150, brokers: 4),  // proposes 5
                    .value("orders-lag", 15_000, at: F.t0)  // ratio 3: proposes 12
                ]))
        #expect(decision.proposals.map(\.proposedReplicas) == [5, 12])
        #expect(decision.metric == "orders-lag")
        #expect(decision.desiredReplicas == 8)  // default scale-up: 100 % or 4 per 15 s
        #expect(
            decision.reason
                == "scale out 4→8: orders-lag 15000 messages vs target 5000 (highest of 2 metrics); wanted 12, limited by policy Percent 100%/15s")
    }

    @Test func missingBrokersCountAtTargetOnAScaleDown() {
        // 4 brokers, 2 report 50 MiB/s each. Naively ceil(100/120) = 1; HPA assumes the 2 missing
        // brokers run at the target: ceil((100 + 240) / 120) = 3.
        let decision = DecisionEngine.decide(F.input(F.spec(), current: 4, [F.bytesIn(50, brokers: 2, reporting: 2)]))
        #expect(decision.proposals.first?.proposedReplicas == 3)
    }

    @Test func missingBrokersCountAsZeroOnAScaleUp() {
        // 2 of 4 report 200 MiB/s: ratio 1.67, but with the missing two at 0 the ratio is 0.83,
        // the direction flips, and HPA holds.
        let decision = DecisionEngine.decide(F.input(F.spec(), current: 4, [F.bytesIn(200, brokers: 2, reporting: 2)]))
        #expect(decision.proposals.first?.proposedReplicas == 4)
    }

    @Test func unreadyBrokersCountAsZeroCPUOnAScaleUp() {
        // 3 ready at 80 % of request and 2 unready, target 60 %: ready-only ratio 1.33; with the
        // unready at 0 the ratio is 0.8, the direction flips, and the count holds at 5.
        let spec = F.spec(metrics: [.cpu(utilization: 60)])
        let pods = [
            PodReading(utilization: 80), PodReading(utilization: 80), PodReading(utilization: 80), PodReading(utilization: 5, ready: false),
            PodReading(utilization: 5, ready: false)
        ]
        let decision = DecisionEngine.decide(F.input(spec, current: 5, [MetricObservation(name: "cpu", pods: pods)]))
        #expect(decision.proposals.first?.proposedReplicas == 5)
        // All ready at 80 %: ceil(5 × 80 / 60) = 7.
        let allReady = (0..<5).map { _ in PodReading(utilization: 80) }
        #expect(
            DecisionEngine.decide(F.input(spec, current: 5, [MetricObservation(name: "cpu", pods: allReady)])).proposals.first?.proposedReplicas == 7)
    }

    @Test func externalValueScalesTheReadyCount() {
        // Lag ratio 2 with 4 ready of 6 brokers: ceil(2 × 4) = 8 (HPA's external metric).
        let spec = F.spec(metrics: [.lag(group: "g", target: MetricTarget(type: .value, value: try! Quantity("1000")), name: "lag")])
        let decision = DecisionEngine.decide(F.input(spec, current: 6, [.value("lag", 2000, at: F.t0)], ready: 4))
        #expect(decision.proposals.first?.proposedReplicas == 8)
    }

    @Test func averageValueDividesByTheTarget() {
        // A query of 450 with 60 per broker: ceil(450 / 60) = 8.
        let spec = F.spec(metrics: [.prometheus(query: "q", target: MetricTarget(type: .averageValue, averageValue: try! Quantity("60")), name: "q")])
        #expect(DecisionEngine.decide(F.input(spec, current: 4, [.value("q", 450, at: F.t0)])).proposals.first?.proposedReplicas == 8)
        // Lag per partition: 96,000 over 24 partitions is 4,000 against 2,000: ratio 2, 3 brokers → 6.
        let lag = F.spec(metrics: [.lag(group: "g", target: MetricTarget(type: .averageValue, averageValue: try! Quantity("2000")), name: "lag")])
        let decision = DecisionEngine.decide(F.input(lag, current: 3, [.value("lag", 96_000, at: F.t0, partitions: 24)]))
        #expect(decision.proposals.first?.proposedReplicas == 6)
        #expect(decision.reason == "scale out 3→6: lag 4000 per partition vs target 2000")
    }

    // MARK: Stabilization windows

    @Test func scaleDownFollowsTheHighestRecommendationOfTheWindow() {
        // Default scale-down window 300 s. Recommendations 10 (200 s ago) and 8 (100 s ago);
        // now the metric asks for 6: the pool stays at 10.
        let history = ScalingHistory(recommendations: [.init(time: F.ago(200), replicas: 10), .init(time: F.ago(100), replicas: 8)])
        let decision = DecisionEngine.decide(F.input(F.spec(), current: 10, [F.bytesIn(72, brokers: 10)], history: history))
        #expect(decision.stages.proposed == 6)
        #expect(decision.desiredReplicas == 10)
        #expect(decision.limitedBy?.rule == .stabilizationWindow)
        // 150 s later the 10 has left the window: the highest is 8.
        let later = DecisionEngine.decide(
            F.input(
                F.spec(), current: 10, [F.bytesIn(72, brokers: 10, at: F.t0.addingTimeInterval(150))], now: F.t0.addingTimeInterval(150),
                history: history))
        #expect(later.desiredReplicas == 8)
    }

    @Test func scaleUpFollowsTheLowestRecommendationOfItsWindow() {
        let spec = F.spec(behavior: ScalingBehavior(scaleUp: F.rules(window: 60)))
        let history = ScalingHistory(recommendations: [.init(time: F.ago(30), replicas: 6)])
        let decision = DecisionEngine.decide(F.input(spec, current: 5, [F.bytesIn(216, brokers: 5)], history: history))
        #expect(decision.stages.proposed == 9)
        #expect(decision.desiredReplicas == 6)
    }

    @Test func aFreshStartDoesNotScaleInAtOnce() {
        // No history at all: like HPA after a restart, the current count seeds the window.
        let decision = DecisionEngine.decide(F.input(F.spec(), current: 10, [F.bytesIn(36, brokers: 10)], history: nil))
        #expect(decision.desiredReplicas == 10)
        #expect(decision.recordedRecommendation == 3)
    }

    // MARK: Rate policies (the HPA documentation's examples)

    /// "scaleDown: Pods 4 per 60 s and Percent 10 per 60 s": with the default selectPolicy Max the
    /// policy allowing the larger change applies. 80 replicas scaled towards 10: 8 are removed in
    /// the first step; at 72, 10 % is 7.2, rounded up to 8; below 40 replicas the Pods policy
    /// applies and 4 are removed at a time.
    @Test func docsScaleDownExampleMaxPolicy() {
        let spec = F.spec(behavior: ScalingBehavior(scaleDown: F.rules(window: 0, [F.pods(4, per: 60), F.percent(10, per: 60)])))
        var current: Int32 = 80
        var steps: [Int32] = []
        var now = F.t0
        var history = ScalingHistory()
        while current > 10, steps.count < 40 {
            let decision = DecisionEngine.decide(
                F.input(spec, current: current, [F.bytesIn(10, brokers: current, at: now)], now: now, history: history))
            history = history.recording(decision, applied: true, behavior: spec.effectiveBehavior)
            current = decision.desiredReplicas
            steps.append(current)
            now = now.addingTimeInterval(61)
        }
        // 10 % (rounded so that at least 10 % go) while above 40; then 4 at a time.
        #expect(steps == [72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16, 12, 8])
    }

    /// "At most 4 pods or 10 % per minute, whichever frees fewer" is selectPolicy Min.
    @Test(arguments: [(Int32(80), Int32(76)), (30, 27), (10, 9)])
    func scaleDownMinPolicyFreesFewer(_ current: Int32, _ expected: Int32) {
        let spec = F.spec(behavior: ScalingBehavior(scaleDown: F.rules(window: 0, select: .min, [F.pods(4, per: 60), F.percent(10, per: 60)])))
        let decision = DecisionEngine.decide(F.input(spec, current: current, [F.bytesIn(1, brokers: current)]))
        #expect(decision.desiredReplicas == expected)
        #expect(decision.limitedBy?.rule == .scaleDownPolicy)
    }

    /// The default scale-up: 100 % or 4 pods per 15 s, whichever is more.
    @Test(arguments: [(Int32(2), Int32(6)), (3, 7), (10, 20)])
    func defaultScaleUpIsDoubleOrFourPods(_ current: Int32, _ expected: Int32) {
        let decision = DecisionEngine.decide(F.input(F.spec(), current: current, [F.bytesIn(1200, brokers: current)]))
        #expect(decision.desiredReplicas == expected)
    }

    @Test func policiesCountChangesWithinTheirPeriod() {
        // Scaled 2→6 ten seconds ago: the 15 s period started at 2, so 6 is already the limit.
        let history = ScalingHistory(scaleEvents: [.init(time: F.ago(10), from: 2, to: 6)])
        let held = DecisionEngine.decide(F.input(F.spec(), current: 6, [F.bytesIn(1200, brokers: 6)], history: history))
        #expect(held.desiredReplicas == 6)
        #expect(held.limitedBy?.rule == .scaleUpPolicy)
        #expect(held.limitedBy?.detail == "policy Pods 4/15s")
        // Twenty seconds after it, the period starts afresh at 6: 12.
        let later = DecisionEngine.decide(
            F.input(F.spec(), current: 6, [F.bytesIn(1200, brokers: 6, at: F.ago(-10))], now: F.ago(-10), history: history))
        #expect(later.desiredReplicas == 12)
    }

    @Test func theIssuesExampleReason() {
        let spec = F.spec(behavior: ScalingBehavior(scaleUp: F.rules([F.percent(50, per: 60)])))
        let decision = DecisionEngine.decide(F.input(spec, current: 6, [F.bytesIn(182, brokers: 6)]))
        #expect(decision.desiredReplicas == 9)
        #expect(decision.reason == "scale out 6→9: bytes-in 182 MiB/s per broker vs target 120 MiB/s; wanted 10, limited by policy Percent 50%/60s")
    }

    @Test func disabledSelectPolicyForbidsThatDirection() {
        let spec = F.spec(behavior: ScalingBehavior(scaleDown: F.rules(window: 0, select: .disabled)))
        let decision = DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(10, brokers: 10)]))
        #expect(decision.desiredReplicas == 10)
        #expect(decision.limitedBy?.rule == .scalingDisabled)
        // Scale-up still works.
        #expect(DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(200, brokers: 10)])).desiredReplicas == 17)
    }

    // MARK: Bounds

    @Test func clampedToMaxAndMinWithTheReason() {
        let spec = F.spec(min: 3, max: 12)
        let high = DecisionEngine.decide(F.input(spec, current: 10, [F.bytesIn(240, brokers: 10)]))
        #expect(high.desiredReplicas == 12)
        #expect(high.limitedBy == Decision.Limit(.maxReplicas, "maxReplicas 12"))
        #expect(high.conditions.contains { $0.type == .scalingLimited && $0.status == .true && $0.reason == "TooManyReplicas" })
        let low = DecisionEngine.decide(
            F.input(F.spec(min: 3, max: 12, behavior: ScalingBehavior(scaleDown: F.rules(window: 0))), current: 4, [F.bytesIn(1, brokers: 4)]))
        #expect(low.desiredReplicas == 3)
        #expect(low.limitedBy?.rule == .minReplicas)
    }

    @Test func outsideTheBoundsGoesStraightToThem() {
        // The user lowered maxReplicas below the current count: straight to it, whatever the policies.
        let decision = DecisionEngine.decide(F.input(F.spec(max: 8), current: 20, [F.bytesIn(120, brokers: 20)]))
        #expect(decision.desiredReplicas == 8)
        let raised = DecisionEngine.decide(F.input(F.spec(min: 12), current: 3, [F.bytesIn(10, brokers: 3)]))
        #expect(raised.desiredReplicas == 12)
    }
}
