import Foundation

/// Which Prometheus addresses a pool may name in `spec.metrics[].prometheus.serverAddress`.
/// Whoever may create a pool must not get the operator to send requests wherever they like
/// (an address inside the cluster, a cloud metadata endpoint) and read the answers back from
/// the pool's status: by default only the host of the operator's `--prometheus-url` is
/// allowed; `ebb run --prometheus-allowed-host` adds hosts, explicitly.
public struct PrometheusAddressPolicy: Sendable, Hashable {
    /// `host:port` pairs (lowercased) a pool may name.
    public let allowed: Set<String>

    /// `operatorURL` is `--prometheus-url`; `hosts` are `host` (any port) or `host:port` entries.
    public init(operatorURL: String?, hosts: [String] = []) {
        var allowed: Set<String> = []
        if let operatorURL, let endpoint = Self.endpoint(operatorURL) { allowed.insert(endpoint) }
        for host in hosts { allowed.insert(host.lowercased()) }
        self.allowed = allowed
    }

    /// `host:port` of an http(s) URL, the port defaulted by scheme; nil when it is not one.
    static func endpoint(_ url: String) -> String? {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = parsed.host?.lowercased(), !host.isEmpty
        else { return nil }
        let port = parsed.port ?? (scheme == "https" ? 443 : 80)
        return "\(host.hasPrefix("[") || !host.contains(":") ? host : "[\(host)]"):\(port)"
    }

    /// Nil when `address` may be queried; otherwise why not.
    public func refusal(of address: String) -> String? {
        guard let endpoint = Self.endpoint(address) else { return "serverAddress '\(address)' is not an http(s)://host[:port] address" }
        let host = String(endpoint[..<(endpoint.lastIndex(of: ":") ?? endpoint.endIndex)])
        if allowed.contains(endpoint) || allowed.contains(host) { return nil }
        return "serverAddress \(endpoint) is not allowed: ebb run queries only its --prometheus-url"
            + (allowed.isEmpty ? "" : " and the hosts given with --prometheus-allowed-host (\(allowed.sorted().joined(separator: ", ")))")
            + "; drop serverAddress, or ask the operator's administrator to allow this host"
    }

    /// What a pool's status may say about a failed query to a pool-named address: the HTTP
    /// status and Prometheus's error type, never the body or message of the answer (an address
    /// of the pool author's choosing would otherwise be read back through the status).
    static func statusText(_ error: any Error) -> String {
        guard let error = error as? PrometheusError else { return "\(error)" }
        switch error {
        case let .queryFailed(errorType, _):
            let known = ["bad_data", "timeout", "canceled", "execution", "internal", "unavailable", "not_found", "not_acceptable"]
            return "Prometheus rejected the query (\(known.contains(errorType) ? errorType : "unknown error type"))"
        case .malformed:
            return "Prometheus answered something that is not a query result"
        default:
            return error.description
        }
    }
}
