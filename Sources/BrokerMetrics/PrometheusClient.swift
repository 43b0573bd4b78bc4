import Foundation
import KubernetesClient

/// The Prometheus HTTP API (`/api/v1/query`): one instant query at a time.
public struct PrometheusClient: Sendable {
    public let url: String
    let http: KubernetesHTTP

    /// `url` is Prometheus's base address, such as `http://prometheus.monitoring:9090`.
    public init(url: String, timeout: Duration = .seconds(10)) throws(KubeConfigError) {
        self.url = url
        self.http = try KubernetesHTTP(try KubernetesConfiguration(server: url, source: "Prometheus address"), userAgent: "ebb/0.1")
        self.timeout = timeout
    }

    let timeout: Duration

    /// Every sample the query returns (at `time`, or now).
    public func query(_ promql: String, at time: Date? = nil) async throws -> [PrometheusSample] {
        var parameters = [("query", promql)]
        if let time { parameters.append(("time", String(format: "%.3f", time.timeIntervalSince1970))) }
        let step = "query Prometheus at \(url)"
        let answer = try await http.send(.GET, "/api/v1/query", query: parameters, step: step, timeout: timeout)
        // Prometheus answers errors (400, 422, 503) with the same JSON envelope.
        guard (200..<300).contains(answer.status) || answer.body.first == UInt8(ascii: "{") else {
            throw KubernetesClientError.api(APIError(step: step, httpStatus: answer.status, body: answer.body))
        }
        return try PrometheusResponse.samples(from: answer.body)
    }

    /// The query's single value.
    public func value(_ promql: String, at time: Date? = nil) async throws -> PrometheusSample {
        let samples = try await query(promql, at: time)
        guard let first = samples.first else { throw PrometheusError.noData(query: promql) }
        guard samples.count == 1 else { throw PrometheusError.tooManySeries(query: promql, count: samples.count) }
        return first
    }
}
