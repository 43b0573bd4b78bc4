/// Why a Kubernetes request failed, naming the step (what Ebb was doing) and the cause.
public enum KubernetesClientError: Error, Sendable, CustomStringConvertible {
    /// The API server answered with an error status.
    case api(APIError)
    /// No answer: connection refused, reset, TLS failure.
    case transport(step: String, cause: String)
    case timeout(step: String, seconds: Double)
    /// The answer (a page, a watch event) was over the client's limit and was dropped.
    case tooLarge(step: String, cause: String)
    /// The answer was not what the API promises.
    case decode(step: String, cause: String)
    case configuration(KubeConfigError)

    /// The same failure of the HTTP exchange, named by `step`.
    public init(step: String, _ failure: HTTPFailure) {
        switch failure.problem {
        case .noAnswer(let limit):
            self = .timeout(step: step, seconds: Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18)
        case .tooLarge, .lineTooLong:
            self = .tooLarge(step: step, cause: failure.description)
        case .unreachable, .unusableTLS:
            self = .transport(step: step, cause: failure.description)
        }
    }

    public var description: String {
        switch self {
        case .api(let error): return error.description
        case let .transport(step, cause): return "\(step): \(cause)"
        case let .timeout(step, seconds): return "\(step): no answer within \(seconds) s"
        case let .tooLarge(step, cause): return "\(step): \(cause)"
        case let .decode(step, cause): return "\(step): unreadable answer: \(cause)"
        case .configuration(let error): return error.description
        }
    }

    /// Worth retrying with backoff (an oversized answer too: the server may mend, and the
    /// backoff keeps the cost of trying bounded).
    public var isRetriable: Bool {
        switch self {
        case .api(let error): return error.isRetriable
        case .transport, .timeout, .tooLarge: return true
        case .decode, .configuration: return false
        }
    }

    public var apiError: APIError? {
        if case .api(let error) = self { return error }
        return nil
    }
}
