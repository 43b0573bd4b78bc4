import ArgumentParser
import BrokerScaling
import Foundation
import KubernetesTypes

struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decide how many brokers a pool should have, offline, and explain why.",
        discussion: """
            Reads a decision input (a pool's spec, the current and ready broker counts, metric \
            readings with times, the recent recommendations and scale events, and the time of the \
            decision) and prints the decision the operator would make. The format is in \
            Docs/decision-input.md. Exits with 1 when the input has a problem, naming the field.
            """
    )

    @Option(name: [.short, .long], help: "The decision input, JSON or YAML; - for standard input.")
    var input: String

    @Option(name: .shortAndLong, help: "text or json.")
    var output: OutputFormat = .text

    func run() throws {
        let text: String
        do {
            text = try readInput(input)
        } catch {
            FileHandle.standardError.write(Data("ebb decide: cannot read \(input): \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        let (decisionInput, problems) = DecisionInputDocument.check(text)
        guard let decisionInput else {
            var message = "ebb decide: \(input) has \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n"
            for problem in problems {
                message += "  \(problem.line.map { "line \($0): " } ?? "")\(problem)\n"
            }
            FileHandle.standardError.write(Data(message.utf8))
            throw ExitCode(1)
        }
        let decision = DecisionEngine.decide(decisionInput)
        switch output {
        case .json:
            print(String(decoding: try TimeFormat.jsonEncoder().encode(decision), as: UTF8.self))
        case .text:
            print(Self.text(decision))
        }
    }

    static func text(_ decision: Decision) -> String {
        var lines = [decision.reason, ""]
        lines.append(
            "desired \(decision.desiredReplicas) (now \(decision.currentReplicas)), \(decision.apply ? "to apply" : decision.dryRun ? "dry run: not applied" : "nothing to apply")"
        )
        if !decision.proposals.isEmpty {
            lines.append("")
            let rows =
                [["metric", "value (per broker for throughput)", "target", "ratio", "proposes"]]
                + decision.proposals.map { proposal in
                    [
                        proposal.metric,
                        proposal.displayValue ?? "-",
                        proposal.displayTarget ?? "-",
                        proposal.usageRatio.map { String(format: "%.3f", $0) } ?? "-",
                        proposal.proposedReplicas.map(String.init) ?? "unavailable: \(proposal.error ?? "?")"
                    ]
                }
            let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                lines.append(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
            }
        }
        let stages = decision.stages
        let path: [(String, Int32?)] = [
            ("proposed", stages.proposed), ("partition-aware", stages.afterPartitionAwareness),
            ("stabilized", stages.afterStabilization), ("policies and bounds", stages.afterPolicies), ("final", stages.final)
        ]
        lines.append("")
        lines.append("stages: " + path.compactMap { name, value in value.map { "\(name) \($0)" } }.joined(separator: " → "))
        if let limit = decision.limitedBy {
            lines.append("limited by: \(limit.rule.rawValue): \(limit.detail)")
        }
        if let demand = decision.demand {
            lines.append("demand: \(demand.summary)")
            if let saturation = demand.saturationSummary { lines.append("  \(saturation)") }
        }
        if let blindness = decision.blindness {
            lines.append("blind: \(blindness); no broker is removed")
        }
        return lines.joined(separator: "\n")
    }
}
