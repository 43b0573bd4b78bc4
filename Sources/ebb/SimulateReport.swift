import CampaignComparison
import Foundation
import Simulator

/// `ebb simulate`'s table: one row per strategy, medians over the seeds with the range.
enum SimulateReportText {
    static func render(_ report: CampaignReport, summary: String, elapsedSeconds: Double) -> String {
        let settings = report.settings
        var lines: [String] = []
        lines.append("Scenario \(report.scenario): \(summary)")
        lines.append(
            String(
                format:
                    "%.0f h; baseline %.0f MiB/s (peak %.4g×); a broker accepts %.0f MiB/s in and %.0f out; pods start in %.0f s; a partition moves in %.4g s; producers hold %.0f MiB and a record %.0f s, then refuse; Prometheus scrapes every %.0f s, rate over %.0f s; SLO %.0f s behind and nothing refused (and %.0f messages).",
                report.durationSeconds / 3600, settings.baselineMiBPerSecond, report.peakMultiplier, settings.brokerCapacityMiBPerSecond,
                settings.brokerOutCapacityMiBPerSecond, settings.podStartSeconds, settings.moveSeconds, settings.producerBufferMiB,
                settings.deliveryTimeoutSeconds, settings.scrapeIntervalSeconds, settings.rateWindowSeconds, settings.sloSecondsBehind,
                settings.lagSLOMessages))
        let seeds = report.seeds
        lines.append(seeds.count == 1 ? "Seed \(seeds[0])." : "Seeds \(seeds.first!)-\(seeds.last!): medians, with the range in brackets.")
        lines.append("")
        let summaries = report.summaries
        func show(_ stat: SeedStat, _ format: (Double) -> String) -> String {
            seeds.count == 1 || stat.min == stat.max ? format(stat.median) : "\(format(stat.median)) [\(format(stat.min))-\(format(stat.max))]"
        }
        let one: (Double) -> String = { String(format: "%.1f", $0) }
        let whole: (Double) -> String = { String(format: "%.0f", $0) }
        var rows = [
            [
                "strategy", "broker-hours", "min over SLO", "min over msg SLO", "refused GiB", "worst behind", "p99 behind", "peak brokers",
                "scale-outs", "scale-ins", "moves", "to capacity"
            ]
        ]
        for item in summaries {
            let capacity = item.secondsToCapacity.map { show($0) { String(format: "%.0f s", $0) } } ?? "never"
            rows.append([
                item.name, show(item.brokerHours, one), show(item.minutesOverSlo, one), show(item.minutesOverMessageSlo, one),
                show(item.refusedGiB, one), show(item.peakSecondsBehind) { seconds($0) }, show(item.p99SecondsBehind) { seconds($0) },
                show(item.peakBrokers, whole), show(item.scaleOuts, whole), show(item.scaleIns, whole), show(item.moves, whole),
                capacity + (item.seedsNeverAtCapacity > 0 && item.secondsToCapacity != nil ? " (never in \(item.seedsNeverAtCapacity))" : "")
            ])
        }
        lines.append(table(rows))
        lines.append("")
        if summaries.contains(where: { $0.minutesOverSloByDay != nil }) {
            lines.append("Minutes over the SLO, day by day:")
            for item in summaries {
                guard let days = item.minutesOverSloByDay else { continue }
                lines.append(
                    "  \(item.name.padding(toLength: 16, withPad: " ", startingAt: 0)) " + days.map { show($0, one) }.joined(separator: "  "))
            }
            lines.append("")
        }
        for item in summaries { lines.append("  \(item.name): \(item.description)") }
        // The strongest baseline: of KEDA on bytes in and KEDA on the producers' offered load, the
        // one with fewer minutes over the SLO (then fewer broker-hours).
        let baselines = summaries.filter { ["keda-bytes-in", "keda-offered"].contains($0.name) }
        let best = baselines.min { ($0.minutesOverSlo.median, $0.brokerHours.median) < ($1.minutesOverSlo.median, $1.brokerHours.median) }
        if let ebb = summaries.first(where: { $0.name == "ebb" }), let best {
            lines.append("")
            lines.append(
                "Ebb against the strongest baseline (\(best.name)): "
                    + String(
                        format: "%.2f× its broker-hours, %.1f against %.1f minutes over the SLO.",
                        ebb.brokerHours.median / max(1e-9, best.brokerHours.median), ebb.minutesOverSlo.median, best.minutesOverSlo.median))
        }
        let broken = summaries.filter { $0.violations > 0 }
        if !broken.isEmpty { lines.append("World invariants broken in: \(broken.map(\.name).joined(separator: ", ")) (a defect of the simulator)") }
        lines.append(String(format: "(%d strategies × %d seeds in %.1f s)", summaries.count, seeds.count, elapsedSeconds))
        return lines.joined(separator: "\n")
    }

    static func seconds(_ value: Double) -> String {
        switch value {
        case ..<10: return String(format: "%.1f s", value)
        case ..<3_600: return String(format: "%.0f s", value)
        default: return String(format: "%.1f h", value / 3_600)
        }
    }
}
