import Foundation
import KubernetesTypes
import Yams

/// The schema of `ebb decide`'s input file, so that a bad input is reported field by field,
/// the same way `ebb validate` reports a bad BrokerPool.
public enum DecisionInputSchema {
    static let sample: Schema = .object(
        "One reading.", required: ["time", "value"],
        [
            ("time", .dateTime("When it was read (RFC 3339).")),
            ("value", .number("The metric's total: bytes per second through all brokers, total lag in messages, or the query's value.", minimum: 0))
        ])

    static let observation: Schema = .object(
        "What was read for one metric of spec.metrics.", required: ["name"],
        [
            (
                "name",
                .string(
                    "The metric's name: its spec.metrics[].name, or the derived one (bytes-in, bytes-out, lag:GROUP, prometheus, cpu).", minLength: 1)
            ),
            ("samples", .array("Readings, oldest first; the newest decides, older ones show whether lag is rising.", of: sample, maxItems: 10_000)),
            ("reportingBrokers", .integer("Brokers whose throughput is in the total; defaults to every broker.", minimum: 0)),
            ("partitions", .integer("Partitions the lag is spread over, for lag targets of type AverageValue.", minimum: 0)),
            (
                "pods",
                .array(
                    "CPU: one reading per broker pod.",
                    of: .object(
                        "One broker pod's CPU.", required: ["ready"],
                        [
                            ("utilization", .number("CPU use as a percentage of the request; leave out when the pod has no metrics.", minimum: 0)),
                            ("ready", .boolean("Whether the pod is ready."))
                        ]), maxItems: 10_000)
            ),
            ("error", .string("Why the metric could not be read; the metric then counts as unavailable.")),
            ("offered", sampleOffered),
            (
                "offeredEarlier",
                .array(
                    "Earlier answers of offeredQuery, oldest first: while they rise, offeredReadingAgeSeconds carries `offered` forward along their trend.",
                    of: sampleOffered, maxItems: 1_000)
            ),
            ("offeredError", .string("Why brokerThroughput.offeredQuery could not be read; the metric then stands on the brokers' bytes in."))
        ])

    static let sampleOffered: Schema = .object(
        "BrokerThroughput In with offeredQuery: bytes per second the producers tried to send (sent plus refused).", required: ["time", "value"],
        [
            ("time", .dateTime("When it was read (RFC 3339).")),
            ("value", .number("Bytes per second the producers offered.", minimum: 0))
        ])

    public static let input: Schema = .object(
        "The input of `ebb decide`: a pool's spec, the cluster now, metric readings and recent history.",
        required: ["now", "spec", "currentReplicas", "metrics"],
        [
            ("now", .dateTime("The time of the decision (RFC 3339).")),
            ("spec", BrokerPoolSchema.spec),
            ("currentReplicas", .integer("Brokers the StatefulSet has now.", minimum: 0)),
            ("readyReplicas", .integer("Brokers whose pods are ready; defaults to currentReplicas.", minimum: 0)),
            ("partitionReplicas", .integer("Partition replicas in the cluster (partitions × replication factor).", minimum: 0)),
            ("metrics", .array("One observation per metric of spec.metrics.", of: observation, maxItems: 64)),
            ("reassignmentInProgress", .boolean("A partition reassignment is running.")),
            ("consecutiveMetricFailures", .integer("Metric reads that failed in a row before this one.", minimum: 0)),
            (
                "kafkaUnreadable",
                .string("Why the Kafka cluster could not be read this time, if it could not: no broker is then removed.", maxLength: 4096)
            ),
            (
                "throughputHistory",
                .array(
                    "For spec.predictive: the BrokerThroughput In metric's total over the last historyDays, oldest first (the operator reads it with a Prometheus range query, one reading every minute or two).",
                    of: sample, maxItems: 100_000)
            ),
            (
                "history",
                .object(
                    "Recent recommendations and scale events. Leave it out to decide as a freshly started operator would (the scale-down window starts with the current count); give {} for none.",
                    [
                        (
                            "recommendations",
                            .array(
                                "Past unstabilized recommendations.",
                                of: .object(
                                    "A recommendation.", required: ["time", "replicas"],
                                    [
                                        ("time", .dateTime("When it was made.")),
                                        ("replicas", .integer("The broker count recommended.", minimum: 0))
                                    ]), maxItems: 100_000)
                        ),
                        (
                            "scaleEvents",
                            .array(
                                "Past changes of the broker count.",
                                of: .object(
                                    "A change.", required: ["time", "from", "to"],
                                    [
                                        ("time", .dateTime("When it was made.")),
                                        ("from", .integer("Brokers before.", minimum: 0)),
                                        ("to", .integer("Brokers after.", minimum: 0))
                                    ]), maxItems: 100_000)
                        )
                    ])
            )
        ])
}

/// Reads and checks `ebb decide`'s input (JSON, or YAML).
public enum DecisionInputDocument {
    public static func check(_ text: String) -> (input: DecisionInput?, problems: [ValidationProblem]) {
        let node: Node
        do {
            guard let parsed = try Yams.compose(yaml: text) else {
                return (nil, [ValidationProblem(path: "", message: "the input is empty; see Docs/decision-input.md for its format")])
            }
            node = parsed
        } catch {
            return (nil, [BrokerPoolDocuments.yamlProblem(error)])
        }
        var structural = StructuralValidator()
        structural.check(node, against: DecisionInputSchema.input, at: .root)
        guard structural.problems.isEmpty else { return (nil, structural.problems) }

        let input: DecisionInput
        do {
            // JSON is YAML: re-serialize the checked node as JSON for the Codable types.
            let json = try JSONSerialization.data(withJSONObject: try jsonObject(node))
            input = try TimeFormat.jsonDecoder().decode(DecisionInput.self, from: json)
        } catch {
            return (nil, [ValidationProblem(path: "", message: "could not be read: \(BrokerPoolDocuments.describe(decodingError: error))")])
        }
        var problems = BrokerPoolValidator.problems(in: input.spec)
        let names = (input.spec.metrics ?? []).map(\.displayName)
        for (index, observation) in input.metrics.enumerated() where !names.contains(observation.name) {
            problems.append(
                ValidationProblem(
                    path: "metrics[\(index)].name",
                    message:
                        "'\(observation.name)' matches no metric of spec.metrics; use one of: \(names.isEmpty ? "(none)" : names.joined(separator: ", "))"
                ))
        }
        problems = problems.map { problem in
            var located = problem
            located.line = BrokerPoolDocuments.line(of: problem.path, in: structural.lines)
            return located
        }
        return problems.isEmpty ? (input, []) : (nil, problems)
    }

    /// A checked node as Foundation JSON values, typed by its resolved YAML tags.
    static func jsonObject(_ node: Node) throws -> Any {
        switch node {
        case .mapping(let mapping):
            var out: [String: Any] = [:]
            for (key, value) in mapping { out[key.string ?? ""] = try jsonObject(value) }
            return out
        case .sequence(let sequence):
            return try sequence.map(jsonObject)
        case .scalar(let scalar):
            switch node.tagName {
            case .int: return node.int ?? 0
            case .float: return node.float ?? 0
            case .bool: return node.bool ?? false
            case .null: return NSNull()
            default: return scalar.string
            }
        case .alias:
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "YAML aliases are not supported"))
        }
    }
}
