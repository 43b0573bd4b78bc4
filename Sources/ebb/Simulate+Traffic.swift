import ArgumentParser
import Foundation
import Simulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension Simulate {
    /// `--traffic-from`: a CSV file, or a Prometheus server to run `--query` over `--range` on.
    /// The baseline becomes the recording's median (unless given), so its MiB/s replay as they were.
    func recordedTraffic(from source: String, settings: inout CampaignSettings) async throws -> TrafficProfile {
        let recorded: RecordedTraffic
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            recorded = try await Self.prometheusRange(url: source, query: query ?? "", range: range, end: rangeEnd)
        } else {
            do {
                recorded = try RecordedTraffic.csv(source)
            } catch {
                throw ValidationError("--traffic-from: \(error)")
            }
        }
        settings.baselineMiBPerSecond = baselineMiBPerSecond ?? recorded.median
        settings.durationSeconds = max(60, recorded.points.last?.seconds ?? 60)
        return recorded.profile(baseline: settings.baselineMiBPerSecond)
    }

    /// `7d`, `24h`, `90m`, `3600s` as seconds.
    static func rangeSeconds(_ text: String) -> Double? {
        guard let unit = text.last, let number = Double(text.dropLast()), number > 0 else { return nil }
        let seconds: Double
        switch unit {
        case "d": seconds = number * 86_400
        case "h": seconds = number * 3_600
        case "m": seconds = number * 60
        case "s": seconds = number
        default: return nil
        }
        return seconds <= 31 * 86_400 ? seconds : nil
    }

    /// Runs `query` over the range on Prometheus's `/api/v1/query_range`, at a step that keeps
    /// the answer under Prometheus's 11,000 points a series.
    static func prometheusRange(url: String, query: String, range: String, end: String?) async throws -> RecordedTraffic {
        guard let seconds = rangeSeconds(range) else {
            throw ValidationError("--range: '\(range)' is not a duration as 7d, 24h, 90m or 600s (at most 31d)")
        }
        let endDate: Date
        if let end {
            guard let parsed = ISO8601DateFormatter().date(from: end) else { throw ValidationError("--range-end: '\(end)' is not an RFC 3339 time") }
            endDate = parsed
        } else {
            endDate = Date()
        }
        let step = max(15, (seconds / 10_000).rounded(.up))
        guard var components = URLComponents(string: url.hasSuffix("/") ? String(url.dropLast()) : url) else {
            throw ValidationError("--traffic-from: '\(url)' is not a URL")
        }
        components.path += "/api/v1/query_range"
        components.queryItems = [
            URLQueryItem(name: "query", value: query),
            URLQueryItem(name: "start", value: String(format: "%.0f", endDate.timeIntervalSince1970 - seconds)),
            URLQueryItem(name: "end", value: String(format: "%.0f", endDate.timeIntervalSince1970)),
            URLQueryItem(name: "step", value: String(format: "%.0f", step))
        ]
        guard let request = components.url else { throw ValidationError("--traffic-from: cannot form the query URL from '\(url)'") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(from: request)
        } catch {
            throw ValidationError("--traffic-from: asking \(url) for the range failed: \(error.localizedDescription)")
        }
        guard data.count <= 64 << 20 else { throw ValidationError("--traffic-from: the answer is over 64 MiB") }
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            throw ValidationError("--traffic-from: \(url) answered HTTP \(http.statusCode): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        do {
            return try RecordedTraffic.prometheus(data, source: url)
        } catch {
            throw ValidationError("--traffic-from: \(error)")
        }
    }
}
