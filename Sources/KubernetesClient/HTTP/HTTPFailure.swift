/// Why an HTTP exchange with a peer gave no usable answer; the peer is named, so that the
/// operator's log says who sent what.
public struct HTTPFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        /// No exchange: connection refused or reset, TLS refused, the stream broken.
        case unreachable(String)
        /// No (whole) answer within this long.
        case noAnswer(within: Duration)
        /// The answer was longer than the limit (bytes); the rest was not read.
        case tooLarge(limit: Int)
        /// One line of a streamed answer was longer than the limit (bytes).
        case lineTooLong(limit: Int)
        /// The TLS settings cannot be used (a certificate or key that does not parse).
        case unusableTLS(String)
    }

    /// "the API server at https://10.0.0.1:6443", "Prometheus at http://prometheus:9090".
    public let peer: String
    public let problem: Problem

    public init(peer: String, _ problem: Problem) {
        self.peer = peer
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .unreachable(let cause): return "\(peer): \(cause)"
        case .noAnswer(let limit): return "\(peer) gave no answer within \(Self.seconds(limit)) s"
        case .tooLarge(let limit): return "\(peer) sent an answer over the \(Self.size(limit)) limit; it was dropped"
        case .lineTooLong(let limit): return "\(peer) sent a streamed line over the \(Self.size(limit)) limit; the stream was closed"
        case .unusableTLS(let cause): return "\(peer): the TLS certificates cannot be used (\(cause))"
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }

    /// 16777216 → "16 MiB".
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}

/// A whole HTTP answer, read within the endpoint's body limit.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
