import BrokerScaling
import Foundation
import Testing

/// The spec checks before a reconcile reads anything, without ports: a spec Ebb cannot follow
/// is reported once and acted on never; a valid one is marked so.
struct AdmissionTests {
    @Test func anInvalidSpecIsRefusedWithOneWarning() {
        let spec = Fixture.spec(min: 5, max: 3)
        guard case let .refused(step, problems) = ReconcilePlan.admit(spec: spec, status: nil, generation: 4, now: Fixture.t0) else {
            Issue.record("minReplicas above maxReplicas was admitted")
            return
        }
        #expect(problems.contains("minReplicas"), "\(problems)")
        #expect(step.status.observedGeneration == 4)
        let condition = step.status.conditions?.first { $0.type == .specValid }
        #expect(condition?.status == .false && condition?.reason == "InvalidSpec")
        #expect(step.actions.count == 1, "one Warning when it starts")
        // The next reconcile reads the refused status back: the condition says it, no new Event.
        guard case let .refused(again, _) = ReconcilePlan.admit(spec: spec, status: step.status, generation: 4, now: Fixture.t0) else {
            Issue.record("refused once, admitted the second time")
            return
        }
        #expect(again.actions.isEmpty && again.status == step.status)
    }

    @Test func aValidSpecIsMarkedValidAndInsecureSettingsWarnOnce() {
        var spec = Fixture.spec()
        spec.kafka.sasl = KafkaSASL(
            mechanism: .plain, credentialsSecretRef: CredentialsSecretReference(name: "user", usernameKey: "u", passwordKey: "p"),
            allowWithoutTLS: true)
        guard case let .admitted(status, warning) = ReconcilePlan.admit(spec: spec, status: nil, generation: 1, now: Fixture.t0) else {
            Issue.record("a valid spec was refused")
            return
        }
        #expect(status.conditions?.first { $0.type == .specValid }?.status == .true)
        #expect(status.conditions?.first { $0.type == .connectionSecure }?.status == .false)
        #expect(warning?.contains("sasl.allowWithoutTLS") == true, "\(warning ?? "no warning")")
        guard case let .admitted(_, again) = ReconcilePlan.admit(spec: spec, status: status, generation: 1, now: Fixture.t0) else { return }
        #expect(again == nil, "the Warning goes out when the setting appears, not every reconcile")
    }
}
