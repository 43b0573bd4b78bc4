import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP peer (the API server, a Prometheus) through AsyncHTTPClient: pooled connections
/// (HTTP/2 where the server offers it), TLS as configured, a deadline on every exchange, and
/// answers read within `configuration.limits`. Redirects are not followed.
public final class HTTPEndpoint: Sendable {
    public let configuration: HTTPEndpointConfiguration
    let client: HTTPClient
    /// `scheme://host:port/base` as requests name it: the TLS server name when one is set (the
    /// connection still goes to the address's host, through AsyncHTTPClient's DNS override, so
    /// that SNI and the certificate check use that name).
    let base: String

    public init(_ configuration: HTTPEndpointConfiguration) throws(HTTPFailure) {
        self.configuration = configuration
        let address = configuration.address
        var settings = HTTPClient.Configuration()
        settings.redirectConfiguration = .disallow
        settings.decompression = .disabled
        settings.timeout = HTTPClient.Configuration.Timeout(connect: TimeAmount(configuration.connectTimeout), read: nil)
        // Watches hold a connection each; requests must not queue behind them.
        settings.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // A refused connection fails the request at once: the callers retry with their own backoff.
        settings.connectionPool.retryConnectionEstablishment = false
        var requestHost = address.urlHost
        if address.usesTLS {
            settings.tlsConfiguration = try Self.tls(configuration.tls, peer: configuration.peer)
            if let name = configuration.tls.serverName, !name.isEmpty, name != address.host {
                settings.dnsOverride = [name: address.host]
                requestHost = name
            }
        }
        base = "\(address.scheme)://\(requestHost):\(address.port)\(address.basePath)"
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: settings, backgroundActivityLogger: Self.quiet)
    }

    deinit {
        // Nothing can be in flight: every request holds the endpoint.
        client.shutdown { _ in }
    }

    static let quiet = Logger(label: "ebb.http", factory: { _ in SwiftLogNoOpLogHandler() })

    static func tls(_ settings: HTTPEndpointConfiguration.TLS, peer: String) throws(HTTPFailure) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = settings.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let certificate = settings.clientCertificatePEM, let key = settings.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
            if settings.skipVerification { tls.certificateVerification = .none }
            _ = try NIOSSLContext(configuration: tls)
        } catch {
            throw HTTPFailure(peer: peer, .unusableTLS("\(error)"))
        }
        return tls
    }

    /// `path?query`, each query part percent-encoded.
    static func target(_ path: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func request(_ method: HTTPMethod, _ path: String, _ query: [(String, String)], _ headers: [(String, String)], _ body: [UInt8]?)
        -> HTTPClientRequest
    {
        var request = HTTPClientRequest(url: base + Self.target(path, query))
        request.method = method
        request.headers.add(name: "Host", value: configuration.address.hostHeader)
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        } else if method != .GET, method != .HEAD {
            request.body = .bytes(ByteBuffer())
        }
        return request
    }

    func failure(_ error: any Error, timeout: Duration) -> HTTPFailure {
        if let failure = error as? HTTPFailure { return failure }
        if error is NIOTooManyBytesError { return HTTPFailure(peer: configuration.peer, .tooLarge(limit: configuration.limits.body)) }
        if let client = error as? HTTPClientError, client == .deadlineExceeded {
            return HTTPFailure(peer: configuration.peer, .noAnswer(within: timeout))
        }
        return HTTPFailure(peer: configuration.peer, .unreachable("\(error)"))
    }

    /// One request and its whole answer (at most `limits.body` bytes); `timeout` bounds it all.
    public func send(
        _ method: HTTPMethod = .GET, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration
    ) async throws(HTTPFailure) -> HTTPAnswer {
        let request = request(method, path, query, headers, body)
        let limit = configuration.limits.body
        let answer = try await Deadline.run(within: timeout) { () async throws(HTTPFailure) -> HTTPAnswer in
            do {
                let response = try await self.client.execute(request, timeout: TimeAmount(timeout), logger: Self.quiet)
                let body = try await response.body.collect(upTo: limit)
                return HTTPAnswer(status: Int(response.status.code), body: Array(body.readableBytesView))
            } catch {
                throw self.failure(error, timeout: timeout)
            }
        }
        guard let answer else { throw HTTPFailure(peer: configuration.peer, .noAnswer(within: timeout)) }
        return answer
    }

    /// A streamed GET (a watch): the answer's status, then its body line by line as it
    /// arrives. `timeout` bounds the wait for the status, not the stream.
    public func lines(_ path: String, query: [(String, String)] = [], headers: [(String, String)] = [], timeout: Duration) async throws(HTTPFailure)
        -> HTTPLines
    {
        let request = request(.GET, path, query, headers, nil)
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout), logger: Self.quiet)
            return HTTPLines(
                status: Int(response.status.code), body: response.body.makeAsyncIterator(), peer: configuration.peer, limits: configuration.limits)
        } catch {
            throw failure(error, timeout: timeout)
        }
    }
}

/// A streamed answer, read one newline-terminated line at a time; a line over the limit ends it.
public struct HTTPLines {
    public let status: Int
    var body: HTTPClientResponse.Body.AsyncIterator
    let peer: String
    let limits: HTTPEndpointConfiguration.Limits
    /// Bytes read but not yet returned, from `start` on.
    var buffer: [UInt8] = []
    var start = 0

    init(status: Int, body: HTTPClientResponse.Body.AsyncIterator, peer: String, limits: HTTPEndpointConfiguration.Limits) {
        self.status = status
        self.body = body
        self.peer = peer
        self.limits = limits
    }

    /// The next line without its newline (the last one may lack it); nil when the stream ended.
    public mutating func next() async throws(HTTPFailure) -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[start..<newline]
                start = newline + 1
                return line
            }
            buffer.removeSubrange(0..<start)
            start = 0
            guard buffer.count <= limits.line else { throw HTTPFailure(peer: peer, .lineTooLong(limit: limits.line)) }
            let chunk: ByteBuffer?
            do {
                chunk = try await body.next()
            } catch {
                throw HTTPFailure(peer: peer, .unreachable("\(error)"))
            }
            guard let chunk else {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = [] }
                return buffer[...]
            }
            buffer.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// The rest of the answer, within the body limit (an error answer's Status).
    public mutating func rest() async throws(HTTPFailure) -> [UInt8] {
        var collected = Array(buffer[start...])
        buffer = []
        start = 0
        while true {
            guard collected.count <= limits.body else { throw HTTPFailure(peer: peer, .tooLarge(limit: limits.body)) }
            let chunk: ByteBuffer?
            do {
                chunk = try await body.next()
            } catch {
                throw HTTPFailure(peer: peer, .unreachable("\(error)"))
            }
            guard let chunk else { return collected }
            collected.append(contentsOf: chunk.readableBytesView)
        }
    }
}
