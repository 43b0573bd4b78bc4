/// An `http(s)://host[:port][/path]` address: where one HTTP peer listens.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    /// Without brackets for an IPv6 literal.
    public var host: String
    public var port: Int
    /// A path prefix (a server behind a proxy), without a trailing slash.
    public var basePath: String

    /// Nil when `text` is not an http(s) URL with a host and a port in 1...65535.
    public init?(_ text: String) {
        let scheme: String
        var rest: Substring
        if text.hasPrefix("https://") {
            scheme = "https"
            rest = text.dropFirst(8)
        } else if text.hasPrefix("http://") {
            scheme = "http"
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
            while path.hasSuffix("/") { path.removeLast() }
        }
        var host = String(rest)
        var port = scheme == "https" ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { return nil }
                port = value
            } else if !after.isEmpty {
                return nil
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { return nil }
            port = value
            host = String(host[..<colon])
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        (self.scheme, self.host, self.port, self.basePath) = (scheme, host, port, path)
    }

    public var usesTLS: Bool { scheme == "https" }

    /// The host as a URL writes it: an IPv6 literal in brackets.
    public var urlHost: String { host.contains(":") ? "[\(host)]" : host }

    /// `scheme://host:port/base`, the port always written.
    public var description: String { "\(scheme)://\(urlHost):\(port)\(basePath)" }

    /// The Host header: an IPv6 literal in brackets (`[fd00::1]:6443`, RFC 7230), the port left
    /// out when it is the scheme's usual one.
    public var hostHeader: String {
        port == (usesTLS ? 443 : 80) ? urlHost : "\(urlHost):\(port)"
    }
}

/// One HTTP peer, as `HTTPEndpoint` talks to it: where it is, how it is trusted, what it is
/// called in errors, and how much of its answers Ebb takes.
public struct HTTPEndpointConfiguration: Sendable {
    /// What proves the peer (and Ebb) over https.
    public struct TLS: Sendable {
        /// PEM; nil trusts the system's roots.
        public var certificateAuthorityPEM: [UInt8]?
        public var clientCertificatePEM: [UInt8]?
        public var clientKeyPEM: [UInt8]?
        public var skipVerification: Bool
        /// The name the certificate must carry (and the SNI), when not the address's host.
        public var serverName: String?

        public init(
            certificateAuthorityPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
            skipVerification: Bool = false, serverName: String? = nil
        ) {
            self.certificateAuthorityPEM = certificateAuthorityPEM
            self.clientCertificatePEM = clientCertificatePEM
            self.clientKeyPEM = clientKeyPEM
            self.skipVerification = skipVerification
            self.serverName = serverName
        }
    }

    /// How much of an answer Ebb reads before it gives up on it: every answer from outside is
    /// bounded, so that a hostile or broken peer cannot take the operator's memory.
    public struct Limits: Sendable, Hashable {
        /// A whole answer (one page of a list, a Prometheus result, an error body).
        public var body: Int
        /// One line of a streamed answer (one watch event).
        public var line: Int

        public init(body: Int, line: Int) {
            self.body = body
            self.line = line
        }

        /// The API server: a page of 500 objects, or one object of etcd's 1.5 MiB, fits with room.
        public static let kubernetes = Limits(body: 16 << 20, line: 4 << 20)
        /// Prometheus: an instant query's vector for a pool's pods.
        public static let prometheus = Limits(body: 4 << 20, line: 1 << 20)
    }

    public var address: ServerAddress
    public var tls: TLS
    /// The peer in error messages: "the API server at https://10.0.0.1:6443".
    public var peer: String
    public var userAgent: String
    public var limits: Limits
    /// How long opening a connection (TCP and TLS) may take.
    public var connectTimeout: Duration

    public init(
        address: ServerAddress, tls: TLS = TLS(), peer: String, userAgent: String = "ebb/0.1", limits: Limits, connectTimeout: Duration = .seconds(10)
    ) {
        self.address = address
        self.tls = tls
        self.peer = peer
        self.userAgent = userAgent
        self.limits = limits
        self.connectTimeout = connectTimeout
    }
}
