import Foundation
import Simulator

/// One SVG page: traffic, brokers and seconds behind over the run, for every strategy (the
/// first seed). Plain SVG, so any browser opens it; no plotting library. Lines that coincide
/// stay visible: each strategy has its own dash pattern, and earlier ones are drawn wider.
public enum CampaignChart {
    static let palette = ["#7f8c8d", "#16a085", "#e67e22", "#8e44ad", "#c0392b", "#d4ac0d", "#2980b9", "#1b2631"]
    static let dashes = ["", "8 3", "2 2", "10 3 2 3", "5 5", "1 3", "", "6 2"]

    public static func svg(_ report: CampaignReport) -> String {
        let results = report.runs.first ?? []
        let width = 1_000.0
        let panel = 180.0
        let left = 80.0
        let right = 30.0
        let gap = 56.0
        let legendRows = Int((Double(results.count) / 3).rounded(.up))
        let top = 40.0 + Double(legendRows) * 18 + 10
        let plotWidth = width - left - right
        let height = top + 3 * (panel + gap) + 10
        let duration = max(1, report.durationSeconds)
        func x(_ seconds: Double) -> Double { left + seconds / duration * plotWidth }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="22" font-size="16">ebb simulate: \(escape(report.scenario)), seed \(report.seeds.first ?? 0) (SLO: \(format(report.settings.sloSecondsBehind)) s behind)</text>

            """
        for (index, result) in results.enumerated() {
            let lx = left + Double(index % 3) * 300
            let ly = 40 + Double(index / 3) * 18
            out +=
                "<line x1=\"\(lx)\" x2=\"\(lx + 28)\" y1=\"\(ly)\" y2=\"\(ly)\" stroke=\"\(color(index))\" stroke-width=\"2.5\" stroke-dasharray=\"\(dash(index))\"/>"
            out +=
                "<text x=\"\(lx + 34)\" y=\"\(ly + 4)\">\(escape(result.name)) (\(format(result.brokerHours)) broker-h, \(format(result.minutesOverSlo)) min over)</text>\n"
        }
        // Time ticks: hours over a day or less, days beyond.
        let tickStep: Double = duration <= 2 * 86_400 ? (duration <= 86_400 ? 4 * 3600 : 6 * 3600) : 86_400
        func panelFrame(_ index: Int, _ title: String, ticks: [(Double, String)], scale: @escaping (Double) -> Double) -> (Double) -> Double {
            let y0 = top + Double(index) * (panel + gap)
            out += "<text x=\"\(left)\" y=\"\(y0 - 8)\" font-weight=\"bold\">\(escape(title))</text>\n"
            let y: (Double) -> Double = { value in y0 + panel - min(1, max(0, scale(value))) * panel }
            for (value, label) in ticks {
                let ty = y(value)
                out += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(f(ty))\" y2=\"\(f(ty))\" stroke=\"#e5e5e5\"/>"
                out += "<text x=\"\(left - 6)\" y=\"\(f(ty + 4))\" text-anchor=\"end\" fill=\"#555\">\(label)</text>\n"
            }
            for tick in stride(from: 0, through: duration, by: tickStep) {
                out += "<line x1=\"\(f(x(tick)))\" x2=\"\(f(x(tick)))\" y1=\"\(y0)\" y2=\"\(y0 + panel)\" stroke=\"#e5e5e5\"/>"
                let label = tickStep >= 86_400 ? "day \(Int(tick / 86_400) + 1)" : String(format: "%02d:00", Int(tick / 3600) % 24)
                out += "<text x=\"\(f(x(tick)))\" y=\"\(y0 + panel + 16)\" text-anchor=\"middle\" fill=\"#555\">\(label)</text>\n"
            }
            out += "<rect x=\"\(left)\" y=\"\(y0)\" width=\"\(plotWidth)\" height=\"\(panel)\" fill=\"none\" stroke=\"#999\"/>\n"
            return y
        }
        func line(_ points: [(Double, Double)], _ index: Int, _ y: (Double) -> Double, widthBoost: Double) {
            let path = points.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
            out +=
                "<polyline fill=\"none\" stroke=\"\(color(index))\" stroke-width=\"\(f(1.4 + widthBoost))\" stroke-dasharray=\"\(dash(index))\" stroke-opacity=\"0.9\" points=\"\(path)\"/>\n"
        }
        let series = results.first?.series ?? []
        let demandMax = niceCeiling(series.map(\.demand).max() ?? 1)
        let demandY = panelFrame(0, "Produce traffic (MiB/s)", ticks: linearTicks(demandMax), scale: { $0 / demandMax })
        line(series.map { ($0.seconds, $0.demand) }, 1, demandY, widthBoost: 0)
        let brokerMax = niceCeiling(Double(results.flatMap(\.series).map(\.brokers).max() ?? 1))
        let brokersY = panelFrame(1, "Brokers", ticks: linearTicks(brokerMax), scale: { $0 / brokerMax })
        for (index, result) in results.enumerated() {
            line(result.series.map { ($0.seconds, Double($0.brokers)) }, index, brokersY, widthBoost: Double(results.count - index) * 0.5)
        }
        // Seconds behind on a log scale, 0.1 s to the worst.
        let worst = max(100, results.flatMap(\.series).map(\.secondsBehind).max() ?? 100)
        let decades = Int(log10(worst).rounded(.up))
        let logTicks = (-1...decades).map { (pow(10, Double($0)), format(pow(10, Double($0))) + " s") }
        let scaleLog: (Double) -> Double = { (log10(max(0.1, $0)) + 1) / Double(decades + 1) }
        let behindY = panelFrame(2, "Seconds behind, end to end (log scale; red dashes: the SLO)", ticks: logTicks, scale: scaleLog)
        for (index, result) in results.enumerated() {
            line(result.series.map { ($0.seconds, $0.secondsBehind) }, index, behindY, widthBoost: Double(results.count - index) * 0.5)
        }
        let slo = behindY(report.settings.sloSecondsBehind)
        out +=
            "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(f(slo))\" y2=\"\(f(slo))\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
        return out + "</svg>\n"
    }

    static func color(_ index: Int) -> String { palette[index % palette.count] }
    static func dash(_ index: Int) -> String { dashes[index % dashes.count] }
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A round number at or above `value`: 1, 2 or 5 times a power of ten.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, (log10(value)).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= value } ?? 10 * power
    }

    static func linearTicks(_ maximum: Double) -> [(Double, String)] {
        (0...4).map {
            let value = maximum * Double($0) / 4
            return (value, format(value))
        }
    }

    static func format(_ value: Double) -> String {
        if value >= 100 || value == value.rounded() { return String(format: "%.0f", value) }
        return String(format: value >= 1 ? "%.1f" : "%.2g", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
