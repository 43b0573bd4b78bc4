import BrokerScaling
import Foundation
import Testing

/// A count written through the scale subresource (`spec.replicas`, by an HPA or KEDA) meets the
/// same holds and floors as Ebb's own decisions, through the whole plan a reconcile makes.
struct ExternalCountHoldTests {
    static let brokers: Int32 = 8

    static func reading(spec: BrokerPoolSpec, status: BrokerPoolStatus, now: Date, reassigning: Set<String>) -> ReconcileReading {
        let ids = (0..<brokers).map { $0 }
        let partitions = (0..<32).map { index in
            ClusterView.Partition(topic: "orders", partition: Int32(index), replicas: [Int32(index) % brokers], leader: Int32(index) % brokers)
        }
        let cluster = ClusterSnapshot(brokers: ids.map { ClusterView.Broker(id: $0) }, partitions: partitions, reassigning: reassigning)
        return ReconcileReading(
            now: now, spec: spec, generation: 1, status: status, statefulSetReplicas: brokers, statefulSetPods: brokers, statefulSetReady: brokers,
            cluster: cluster, metrics: [.value("bytes-in", 100 * Fixture.mebibyte, at: now)], history: ScalingHistory())
    }

    static func drains(_ plan: ReconcilePlan) -> Bool {
        plan.status.state == .draining || plan.actions.contains { if case .event(_, "Drain", _) = $0 { return true } else { return false } }
    }

    @Test func noDrainStartsWhileAnyHoldHolds() {
        var spec = Fixture.spec(min: 2, max: 20)
        spec.replicas = 4
        spec.pausedScaleIn = true
        spec.schedules = [ScalingSchedule(name: "sale", minReplicas: 8, start: "2026-11-27T16:00:00Z", end: "2026-11-27T18:00:00Z")]
        let during = Fixture.t0  // 17:00, inside the sale
        let foreign: Set<String> = ["billing-0"]

        // All three hold; the schedule's floor is the first the decision log names (the count
        // is already at its floor, so nothing is asked to go).
        var plan = ReconcilePlan.make(Self.reading(spec: spec, status: BrokerPoolStatus(), now: during, reassigning: foreign))
        #expect(!Self.drains(plan), "\(plan.decision.reason)")
        #expect(plan.decision.desiredReplicas == 8)
        #expect(plan.decision.limitedBy?.rule == .schedule, "\(plan.decision.reason)")
        #expect(plan.decision.reason.contains("schedule sale"), "\(plan.decision.reason)")
        #expect(plan.status.desiredReplicas == 8)

        // The sale over: pausedScaleIn holds.
        let after = during.addingTimeInterval(2 * 3600)
        plan = ReconcilePlan.make(Self.reading(spec: spec, status: plan.status, now: after, reassigning: foreign))
        #expect(!Self.drains(plan), "\(plan.decision.reason)")
        #expect(plan.decision.limitedBy?.rule == .pausedScaleIn, "\(plan.decision.reason)")
        #expect(plan.decision.reason.contains("held: spec.pausedScaleIn"), "\(plan.decision.reason)")

        // pausedScaleIn lifted: the reassignment in progress holds.
        spec.pausedScaleIn = false
        plan = ReconcilePlan.make(Self.reading(spec: spec, status: plan.status, now: after, reassigning: foreign))
        #expect(!Self.drains(plan), "\(plan.decision.reason)")
        #expect(plan.decision.limitedBy?.rule == .reassignmentInProgress, "\(plan.decision.reason)")

        // Nothing holds any more: the drain to the external count starts.
        plan = ReconcilePlan.make(Self.reading(spec: spec, status: plan.status, now: after, reassigning: []))
        #expect(Self.drains(plan), "\(plan.decision.reason)")
        #expect(plan.status.reassignment?.targetReplicas == 4)
        #expect(plan.decision.limitedBy == nil, "\(plan.decision.reason)")
    }

    @Test func theSequenceAloneHoldsAnExternalCountToo() {
        // Without a decision from the shell, the sequence asks the decision engine about
        // spec.replicas: the same holds apply.
        var spec = Fixture.spec(min: 2, max: 20)
        spec.replicas = 4
        spec.pausedScaleIn = true
        let reading = Self.reading(spec: spec, status: BrokerPoolStatus(), now: Fixture.t0, reassigning: [])
        let observation = PoolObservation(
            now: reading.now, spec: spec, generation: 1, status: BrokerPoolStatus(), statefulSetReplicas: Self.brokers, statefulSetPods: Self.brokers,
            statefulSetReady: Self.brokers, cluster: reading.cluster, decision: nil)
        let step = ScalingSequence.advance(observation, constraints: PlanConstraints(spec.effectiveReassignment))
        #expect(step.status.state == .stable)
        #expect(!step.actions.contains { if case .event(_, "Drain", _) = $0 { return true } else { return false } })
    }

    @Test func aBadScheduleIsReportedNotDropped() {
        var spec = Fixture.spec(min: 2, max: 20)
        spec.schedules = [ScalingSchedule(name: "broken", minReplicas: 9, timeZone: "Mars/Olympus", cron: "0 9 * * *", duration: "1h")]
        let decision = DecisionEngine.decide(Fixture.input(spec, current: 4, [.value("bytes-in", 400 * Fixture.mebibyte, at: Fixture.t0)]))
        let condition = decision.conditions.first { $0.type == .specValid }
        #expect(condition?.status == .false)
        #expect(condition?.reason == "InvalidSchedule")
        #expect(condition?.message.contains("schedule broken") == true && condition?.message.contains("Mars/Olympus") == true)
    }
}
