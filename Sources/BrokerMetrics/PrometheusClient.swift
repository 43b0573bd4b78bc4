import Foundation
import KubernetesClient

/// The Prometheus HTTP API (`/api/v1/query`): one instant query at a time, over one pooled
/// HTTP endpoint per Prometheus address, each answer read within `limits`.
public struct PrometheusClient: Sendable {
    public let url: String
    let http: HTTPEndpoint
    let timeout: Duration

    /// `url` is Prometheus's base address, such as `http://prometheus.monitoring:9090`.
    public init(url: String, timeout: Duration = .seconds(10), limits: HTTPEndpointConfiguration.Limits = .prometheus) throws(PrometheusError) {
        guard let address = ServerAddress(url) else { throw .badAddress(url) }
        self.url = url
        do {
            self.http = try HTTPEndpoint(HTTPEndpointConfiguration(address: address, peer: "Prometheus at \(url)", limits: limits))
        } catch {
            throw .unreachable(error)
        }
        self.timeout = timeout
    }

    /// Every sample the query returns (at `time`, or now).
    public func query(_ promql: String, at time: Date? = nil) async throws(PrometheusError) -> [PrometheusSample] {
        var parameters = [("query", promql)]
        if let time { parameters.append(("time", String(format: "%.3f", time.timeIntervalSince1970))) }
        return try PrometheusResponse.samples(from: try await body(of: "/api/v1/query", parameters))
    }

    /// The query over [start, end] every `step` seconds (`/api/v1/query_range`): each series'
    /// samples, oldest first. The step must keep the answer under Prometheus's 11,000 points a series.
    public func range(_ promql: String, start: Date, end: Date, step: Int, maxPoints: Int = 200_000) async throws(PrometheusError)
        -> [[PrometheusSample]]
    {
        let parameters = [
            ("query", promql), ("start", String(format: "%.0f", start.timeIntervalSince1970)),
            ("end", String(format: "%.0f", end.timeIntervalSince1970)), ("step", String(step))
        ]
        return try PrometheusResponse.rangeSamples(from: try await body(of: "/api/v1/query_range", parameters), maxPoints: maxPoints)
    }

    /// The body of a GET on `path`: a JSON envelope, also for Prometheus's errors (400, 422, 503).
    private func body(of path: String, _ parameters: [(String, String)]) async throws(PrometheusError) -> [UInt8] {
        let answer: HTTPAnswer
        do {
            answer = try await http.send(.GET, path, query: parameters, timeout: timeout)
        } catch {
            throw .unreachable(error)
        }
        guard (200..<300).contains(answer.status) || answer.body.first == UInt8(ascii: "{") else {
            throw .httpStatus(answer.status, peer: http.configuration.peer)
        }
        return answer.body
    }

    /// The query's single value.
    public func value(_ promql: String, at time: Date? = nil) async throws(PrometheusError) -> PrometheusSample {
        let samples = try await query(promql, at: time)
        guard let first = samples.first else { throw .noData(query: promql) }
        guard samples.count == 1 else { throw .tooManySeries(query: promql, count: samples.count) }
        return first
    }
}
