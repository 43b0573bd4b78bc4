import Foundation
import KubernetesClient

/// One number read from the Prometheus HTTP API (`/api/v1/query`).
public struct PrometheusSample: Sendable, Hashable {
    public let labels: [String: String]
    public let timestamp: Date
    public let value: Double
}

/// Why a Prometheus answer could not be used: each case says what a user can do about it.
public enum PrometheusError: Error, Sendable, Hashable, CustomStringConvertible {
    case queryFailed(errorType: String, message: String)
    case malformed(String)
    case noData(query: String)
    case tooManySeries(query: String, count: Int)
    /// The address is not an http(s)://host[:port] URL.
    case badAddress(String)
    /// No answer, or one over the size limit: the failure names the Prometheus.
    case unreachable(HTTPFailure)
    /// An HTTP error without Prometheus's JSON envelope (a proxy's page): only the status is kept.
    case httpStatus(Int, peer: String)

    public var description: String {
        switch self {
        case let .queryFailed(errorType, message): return "Prometheus rejected the query (\(errorType)): \(message)"
        case let .malformed(detail): return "Prometheus answered something that is not a query result: \(detail)"
        case let .noData(query): return "the query returned no data: \(query); check the metric name and labels"
        case let .tooManySeries(query, count): return "the query returned \(count) series, not one: \(query); wrap it in sum(...)"
        case let .badAddress(url): return "'\(url)' is not a Prometheus address: give http(s)://host[:port]"
        case let .unreachable(failure): return "query Prometheus: \(failure)"
        case let .httpStatus(status, peer): return "query Prometheus: \(peer) answered HTTP \(status) without a query result"
        }
    }
}

/// Decodes `/api/v1/query` answers: `scalar` and `vector` results, NaN and ±Inf included.
public enum PrometheusResponse {
    struct Envelope: Decodable {
        let status: String
        let data: DataBody?
        let errorType: String?
        let error: String?
    }

    /// The result in the shape its `resultType` says: a vector's series, or a scalar's (or a
    /// string's) one pair. Another type, or a result not in its type's shape, is an error that
    /// names what was wrong.
    struct DataBody: Decodable {
        let resultType: String
        let result: ResultBody

        enum CodingKeys: String, CodingKey { case resultType, result }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            resultType = try container.decode(String.self, forKey: .resultType)
            switch resultType {
            case "vector": result = .vector(try container.decode([Series].self, forKey: .result))
            case "scalar", "string": result = .scalar(try container.decode([PrometheusValue].self, forKey: .result))
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .resultType, in: container,
                    debugDescription: "resultType '\(resultType)' is not an instant query's (vector, scalar, string)")
            }
        }
    }

    enum ResultBody {
        case scalar([PrometheusValue])
        case vector([Series])
    }

    struct Series: Decodable {
        let metric: [String: String]
        let value: [PrometheusValue]
    }

    /// A result pair element: the timestamp (a number) or the value (a string).
    enum PrometheusValue: Decodable {
        case number(Double)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
        }
    }

    /// Every sample of the answer.
    public static func samples(from body: [UInt8]) throws(PrometheusError) -> [PrometheusSample] {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
        } catch {
            throw .malformed(String(describing: error).prefix(200).description)
        }
        guard envelope.status == "success" else {
            throw .queryFailed(errorType: envelope.errorType ?? "unknown", message: envelope.error ?? "no message")
        }
        guard let data = envelope.data else { throw .malformed("status success without data") }
        switch data.result {
        case .scalar(let pair):
            return [try sample(pair, labels: [:])]
        case .vector(let series):
            return try series.map { series throws(PrometheusError) in try sample(series.value, labels: series.metric) }
        }
    }

    struct RangeEnvelope: Decodable {
        let status: String
        let data: RangeBody?
        let errorType: String?
        let error: String?
    }

    struct RangeBody: Decodable {
        let resultType: String
        let result: [RangeSeries]
    }

    struct RangeSeries: Decodable {
        let metric: [String: String]
        let values: [[PrometheusValue]]
    }

    /// A `/api/v1/query_range` answer (a matrix): every series' samples, at most `maxPoints` in all.
    public static func rangeSamples(from body: [UInt8], maxPoints: Int) throws(PrometheusError) -> [[PrometheusSample]] {
        let envelope: RangeEnvelope
        do {
            envelope = try JSONDecoder().decode(RangeEnvelope.self, from: Data(body))
        } catch {
            throw .malformed(String(describing: error).prefix(200).description)
        }
        guard envelope.status == "success" else {
            throw .queryFailed(errorType: envelope.errorType ?? "unknown", message: envelope.error ?? "no message")
        }
        guard let data = envelope.data else { throw .malformed("status success without data") }
        guard data.resultType == "matrix" else { throw .malformed("a range query answered \(data.resultType), not a matrix") }
        let points = data.result.reduce(0) { $0 + $1.values.count }
        guard points <= maxPoints else { throw .malformed("the range answer holds \(points) points, more than \(maxPoints)") }
        return try data.result.map { series throws(PrometheusError) in
            try series.values.map { pair throws(PrometheusError) in try sample(pair, labels: series.metric) }
        }
    }

    /// The single number a BrokerPool metric needs.
    public static func single(from body: [UInt8], query: String) throws(PrometheusError) -> PrometheusSample {
        let all = try samples(from: body)
        guard let first = all.first else { throw .noData(query: query) }
        guard all.count == 1 else { throw .tooManySeries(query: query, count: all.count) }
        return first
    }

    static func sample(_ pair: [PrometheusValue], labels: [String: String]) throws(PrometheusError) -> PrometheusSample {
        guard pair.count == 2, case .number(let time) = pair[0], case .text(let text) = pair[1] else {
            throw .malformed("a sample is not [timestamp, \"value\"]")
        }
        let value: Double
        switch text {
        case "NaN": value = .nan
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard let parsed = Double(text) else { throw .malformed("value '\(text)' is not a number") }
            value = parsed
        }
        return PrometheusSample(labels: labels, timestamp: Date(timeIntervalSince1970: time), value: value)
    }
}
