import Foundation

/// One SVG page: traffic, brokers and consumer lag over the day, for the three strategies.
/// Plain SVG, so any browser opens it; no plotting library.
public enum CampaignChart {
    public static func svg(_ report: CampaignReport) -> String {
        let width = 960.0, panel = 170.0, left = 70.0, right = 20.0, top = 40.0, gap = 40.0
        let plotWidth = width - left - right
        let height = top + 3 * panel + 3 * gap
        let colors = ["static": "#7f8c8d", "hpa": "#e67e22", "ebb": "#2980b9"]
        let day = Double(BuiltInScenario.daySeconds)
        func x(_ seconds: Double) -> Double { left + seconds / day * plotWidth }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="22" font-size="16">ebb simulate: \(escape(report.scenario)), seed \(report.seed)</text>

            """
        func panelFrame(_ index: Int, _ title: String, _ maximum: Double, unit: String) -> (Double) -> Double {
            let y0 = top + Double(index) * (panel + gap) + 10
            out += "<text x=\"\(left)\" y=\"\(y0 - 4)\">\(escape(title))</text>\n"
            out += "<rect x=\"\(left)\" y=\"\(y0)\" width=\"\(plotWidth)\" height=\"\(panel)\" fill=\"none\" stroke=\"#ccc\"/>\n"
            for hour in stride(from: 0, through: 24, by: 4) {
                out += "<text x=\"\(x(Double(hour * 3600)) - 10)\" y=\"\(y0 + panel + 14)\" fill=\"#666\">\(String(format: "%02d:00", hour))</text>\n"
            }
            out += "<text x=\"4\" y=\"\(y0 + 12)\" fill=\"#666\">\(format(maximum))\(unit)</text>\n"
            out += "<text x=\"4\" y=\"\(y0 + panel)\" fill=\"#666\">0</text>\n"
            return { value in y0 + panel - min(1, value / max(maximum, 1e-9)) * panel }
        }
        func line(_ points: [(Double, Double)], _ color: String, _ y: (Double) -> Double) {
            let path = points.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"/>\n"
        }
        let series = report.strategies.first?.series ?? []
        let demandY = panelFrame(0, "Produce traffic (MiB/s)", series.map(\.demand).max() ?? 1, unit: "")
        line(series.map { ($0.seconds, $0.demand) }, "#27ae60", demandY)
        let brokerMax = Double(report.strategies.flatMap(\.series).map(\.brokers).max() ?? 1)
        let brokersY = panelFrame(1, "Brokers", brokerMax, unit: "")
        for strategy in report.strategies { line(strategy.series.map { ($0.seconds, Double($0.brokers)) }, colors[strategy.name] ?? "#000", brokersY) }
        // Lag on a log scale: HPA's can be orders of magnitude above the others.
        let lagMax = log10(max(10, report.strategies.flatMap(\.series).map(\.lag).max() ?? 10))
        let lagY = panelFrame(2, "Consumer lag (messages, log scale; dashed: SLO)", lagMax, unit: " (10^x)")
        for strategy in report.strategies { line(strategy.series.map { ($0.seconds, log10(max(1, $0.lag))) }, colors[strategy.name] ?? "#000", lagY) }
        let slo = lagY(log10(report.settings.lagSLOMessages))
        out += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(slo)\" y2=\"\(slo)\" stroke=\"#c0392b\" stroke-dasharray=\"4 4\"/>\n"
        var legendX = left + 420
        for strategy in report.strategies {
            out += "<rect x=\"\(legendX)\" y=\"10\" width=\"14\" height=\"4\" fill=\"\(colors[strategy.name] ?? "#000")\"/>"
            out += "<text x=\"\(legendX + 18)\" y=\"16\">\(escape(strategy.name)) (\(format(strategy.brokerHours)) broker-h)</text>\n"
            legendX += 170
        }
        return out + "</svg>\n"
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
