import Foundation
import KubernetesTypes

/// The spec checks a reconcile makes before it reads anything: a spec the API server let
/// through (no CEL before 1.25) but Ebb cannot follow is reported and the pool left as it is;
/// one it can follow is marked valid, and its Kafka connection settings judged.
public enum Admission: Sendable {
    /// The spec cannot be followed: this step (SpecValid False, one InvalidSpec Warning when it
    /// starts) is all the reconcile does. `problems` names each field and what is wrong.
    case refused(SequenceStep, problems: String)
    /// The spec can be followed: the status with SpecValid True and ConnectionSecure set, and
    /// the Warning to record once that status is written (nil when there is nothing new to say).
    case admitted(status: BrokerPoolStatus, insecureWarning: String?)
}

extension ReconcilePlan {
    public static func admit(spec: BrokerPoolSpec, status stored: BrokerPoolStatus?, generation: Int64, now: Date) -> Admission {
        var status = stored ?? BrokerPoolStatus()
        let problems = BrokerPoolValidator.problems(in: spec)
        if !problems.isEmpty {
            let message = problems.map(\.description).joined(separator: "; ")
            let warning = ScalingSequence.warn(
                .specValid, reason: "InvalidSpec", message: message, on: &status, before: stored, generation: generation, now: now)
            status.observedGeneration = generation
            let step = SequenceStep(
                status: status, actions: warning, record: "invalid spec; the pool is left as it is",
                requeueAfter: .seconds(spec.effectivePollingIntervalSeconds))
            return .refused(step, problems: message)
        }
        status.setCondition(.specValid, .true, reason: "Valid", message: "the spec is valid", generation: generation, now: TimeFormat.format(now))
        let security = ConnectionSecurity.report(status: status, spec: spec, generation: generation, now: now)
        return .admitted(status: security.status, insecureWarning: security.warning)
    }
}
