import Foundation
import KubernetesTypes

/// What a pool shows about the security of its Kafka connection. The spec's opt-outs
/// (`tls.insecureSkipVerify`, `sasl.allowWithoutTLS`) are allowed, but never silent: while one
/// is set the pool shows `ConnectionSecure` False naming each, and a Warning Event says so when
/// it starts (or changes). A pool without any has no such condition, or True once they are gone.
public enum ConnectionSecurity {
    public static let reason = "InsecureSettings"

    /// `status` with the condition set; the Event's note when one is due (it starts or changes).
    public static func report(status: BrokerPoolStatus, spec: BrokerPoolSpec, generation: Int64, now: Date) -> (
        status: BrokerPoolStatus, warning: String?
    ) {
        var status = status
        let settings = spec.kafka.insecureSettings
        let previous = status.conditions?.first { $0.type == .connectionSecure }
        guard !settings.isEmpty else {
            if previous != nil, previous?.status != .true {
                status.setCondition(
                    .connectionSecure, .true, reason: "Secure", message: "no insecure Kafka connection settings", generation: generation,
                    now: TimeFormat.format(now))
            }
            return (status, nil)
        }
        let message = "insecure Kafka connection, as the spec asks: " + settings.joined(separator: "; ")
        let changed = previous?.status != .false || previous?.message != message
        status.setCondition(.connectionSecure, .false, reason: reason, message: message, generation: generation, now: TimeFormat.format(now))
        return (status, changed ? String(message.prefix(1000)) : nil)
    }
}
