import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Why a Kubernetes request failed, naming the step (what Ebb was doing) and the cause.
public enum KubernetesClientError: Error, Sendable, CustomStringConvertible {
    /// The API server answered with an error status.
    case api(APIError)
    /// No answer: connection refused, reset, TLS failure.
    case transport(step: String, cause: String)
    case timeout(step: String, seconds: Double)
    /// The answer was not what the API promises.
    case decode(step: String, cause: String)
    case configuration(KubeConfigError)

    public var description: String {
        switch self {
        case .api(let error): return error.description
        case let .transport(step, cause): return "\(step): \(cause)"
        case let .timeout(step, seconds): return "\(step): no answer within \(seconds) s"
        case let .decode(step, cause): return "\(step): unreadable answer: \(cause)"
        case .configuration(let error): return error.description
        }
    }

    /// Worth retrying with backoff.
    public var isRetriable: Bool {
        switch self {
        case .api(let error): return error.isRetriable
        case .transport, .timeout: return true
        case .decode, .configuration: return false
        }
    }

    public var apiError: APIError? {
        if case .api(let error) = self { return error }
        return nil
    }
}

/// An HTTP answer.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var body: [UInt8]
}

/// HTTP/1.1 to the API server over SwiftNIO, TLS included: one connection per request, and a
/// long-lived one per watch.
public final class KubernetesHTTP: Sendable {

    /// The Host header: an IPv6 literal in brackets (`[fd00::1]:6443`, RFC 7230), the port left
    /// out when it is the scheme's usual one.
    public static func hostHeader(host: String, port: Int) -> String {
        let name = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return port == 443 || port == 80 ? name : "\(name):\(port)"
    }

    /// The TLS server name (SNI) for a connection to `host`: `explicit` when given, else `host`,
    /// but none for an IP literal (IPv4, or IPv6 with or without brackets and zone): SNI takes
    /// host names only (RFC 6066), NIOSSL refuses an address there, and the certificate is then
    /// checked against the IP. (The same rule as KafkaTLS.sniName: the two clients share no module.)
    public static func sniName(host: String, explicit: String?) -> String? {
        if let explicit { return explicit }
        var bare = Substring(host)
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = bare.dropFirst().dropLast() }
        if let zone = bare.firstIndex(of: "%") { bare = bare[..<zone] }
        var buffer = [UInt8](repeating: 0, count: 16)
        let address = String(bare)
        if inet_pton(AF_INET, address, &buffer) == 1 || inet_pton(AF_INET6, address, &buffer) == 1 { return nil }
        return host
    }
    public let configuration: KubernetesConfiguration
    let tls: NIOSSLContext?
    let group: any EventLoopGroup
    let userAgent: String

    public init(_ configuration: KubernetesConfiguration, userAgent: String = "ebb/0.1", group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(KubeConfigError) {
        self.configuration = configuration
        self.group = group
        self.userAgent = userAgent
        guard configuration.usesTLS else {
            tls = nil
            return
        }
        var settings = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = configuration.certificateAuthorityPEM {
                settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let certificate = configuration.clientCertificatePEM, let key = configuration.clientKeyPEM {
                settings.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                settings.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
            if configuration.insecureSkipTLSVerify { settings.certificateVerification = .none }
            tls = try NIOSSLContext(configuration: settings)
        } catch {
            throw KubeConfigError(file: configuration.source, field: "TLS", problem: "the certificates cannot be used (\(error))", fix: "check certificate-authority and client-certificate/key")
        }
    }

    /// The Authorization header value now (a token file is read on each call: tokens rotate).
    func authorization() throws(KubernetesClientError) -> String? {
        switch configuration.credentials {
        case .none: return nil
        case .token(let token): return "Bearer \(token)"
        case .tokenFile(let path):
            guard let token = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .configuration(KubeConfigError(file: path, problem: "the token file cannot be read", fix: "check the service account token mount"))
            }
            return "Bearer \(token.trimmingCharacters(in: .whitespacesAndNewlines))"
        case let .basic(username, password):
            return "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())"
        }
    }

    static func target(_ path: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    func connect(step: String) async throws(KubernetesClientError) -> Connection {
        let tls = self.tls
        let host = configuration.host
        let name = Self.sniName(host: host, explicit: configuration.tlsServerName)
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: name)) }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .transport(step: step, cause: "connect to \(configuration.server): \(error)")
        }
    }

    func head(_ method: HTTPMethod, _ target: String, contentType: String?, length: Int?) throws(KubernetesClientError) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: Self.hostHeader(host: configuration.host, port: configuration.port))
        headers.add(name: "User-Agent", value: userAgent)
        headers.add(name: "Accept", value: "application/json")
        if let authorization = try authorization() { headers.add(name: "Authorization", value: authorization) }
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        if let length { headers.add(name: "Content-Length", value: String(length)) }
        return HTTPRequestHead(version: .http1_1, method: method, uri: configuration.basePath + target, headers: headers)
    }

    /// One request and its whole answer; `timeout` bounds it all.
    public func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], contentType: String? = nil, body: [UInt8]? = nil,
        step: String, timeout: Duration = .seconds(30)
    ) async throws(KubernetesClientError) -> HTTPAnswer {
        let head = try head(method, Self.target(path, query), contentType: contentType, length: body?.count ?? (method == .GET ? nil : 0))
        let result = await Self.deadline(timeout, step: step) { () async throws(KubernetesClientError) -> HTTPAnswer in
            let connection = try await self.connect(step: step)
            do {
                let channel = connection.channel
                // Cancellation closes the connection, so that a waiting read ends at once.
                return try await withTaskCancellationHandler {
                try await connection.executeThenClose { inbound, outbound in
                    try await outbound.write(.head(head))
                    if let body, !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                    try await outbound.write(.end(nil))
                    var status = 0
                    var collected: [UInt8] = []
                    for try await part in inbound {
                        switch part {
                        case .head(let response): status = Int(response.status.code)
                        case .body(var buffer): collected += buffer.readBytes(length: buffer.readableBytes) ?? []
                        case .end: return HTTPAnswer(status: status, body: collected)
                        }
                    }
                    throw KubernetesClientError.transport(step: step, cause: "the connection closed before the answer ended")
                }
                } onCancel: {
                    channel.close(promise: nil)
                }
            } catch let error as KubernetesClientError {
                throw error
            } catch {
                throw .transport(step: step, cause: "\(error)")
            }
        }
        return try result.get()
    }

    /// A streamed GET (a watch): `onLine` gets each newline-terminated line of the body as it
    /// arrives; returns when the server ends the stream or `onLine` returns false.
    public func stream(
        _ path: String, query: [(String, String)], step: String, onLine: (ArraySlice<UInt8>) async throws(KubernetesClientError) -> Bool
    ) async throws(KubernetesClientError) {
        let head = try head(.GET, Self.target(path, query), contentType: nil, length: nil)
        let connection = try await connect(step: step)
        let channel = connection.channel
        do {
            // Cancellation (shutdown, lost lease) closes the stream at once.
            try await withTaskCancellationHandler {
            try await connection.executeThenClose { inbound, outbound in
                try await outbound.write(.head(head))
                try await outbound.write(.end(nil))
                var status = 0
                var pending: [UInt8] = []
                var errorBody: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let response):
                        status = Int(response.status.code)
                    case .body(var buffer):
                        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                        guard status == 200 else {
                            errorBody += bytes
                            continue
                        }
                        pending += bytes
                        var start = pending.startIndex
                        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                            let line = pending[start..<newline]
                            start = newline + 1
                            if !line.isEmpty, try await !onLine(line) { return }
                        }
                        pending.removeSubrange(pending.startIndex..<start)
                    case .end:
                        if status != 200 { throw KubernetesClientError.api(APIError(step: step, httpStatus: status, body: errorBody)) }
                        if !pending.isEmpty { _ = try await onLine(pending[...]) }
                        return
                    }
                }
            }
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch let error as KubernetesClientError {
            throw error
        } catch {
            throw .transport(step: step, cause: "\(error)")
        }
    }

    /// Runs `work`, or fails with a timeout after `limit`.
    static func deadline<T: Sendable>(
        _ limit: Duration, step: String, _ work: @escaping @Sendable () async throws(KubernetesClientError) -> T
    ) async -> Result<T, KubernetesClientError> {
        await withTaskGroup(of: Result<T, KubernetesClientError>?.self) { group in
            group.addTask {
                do throws(KubernetesClientError) {
                    return .success(try await work())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: limit)
                } catch {
                    return nil
                }
                let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
                return .failure(.timeout(step: step, seconds: seconds))
            }
            while let next = await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
            }
            return .failure(.timeout(step: step, seconds: 0))
        }
    }
}
