import NIOCore
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// TLS for Kafka connections (the SSL and SASL_SSL listeners). Certificates are verified,
/// hostname included, unless `verifyCertificates` is turned off explicitly.
public struct ClientTLS: Sendable, Hashable {
    /// PEM file of the CA certificates to trust; nil trusts the system's store.
    public var caFile: String?
    /// PEM bytes of the CA certificates (from a Secret), instead of a file.
    public var caPEM: [UInt8]?
    /// PEM client certificate and key bytes (from a Secret), instead of files.
    public var certificatePEM: [UInt8]?
    public var keyPEM: [UInt8]?
    /// PEM client certificate and key, for brokers that require mutual TLS.
    public var certificateFile: String?
    public var keyFile: String?
    /// The name to check the broker's certificate against (default: the host connected to).
    public var serverName: String?
    public var verifyCertificates: Bool

    public init(
        caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, serverName: String? = nil, verifyCertificates: Bool = true
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.verifyCertificates = verifyCertificates
    }

    /// The TLS context, or an error naming the file that could not be used.
    public func makeContext() throws(KafkaClientError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = verifyCertificates ? .fullVerification : .none
        do {
            if let caFile { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
            if let caPEM { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(caPEM)) }
        } catch {
            throw .tls(broker: "-", cause: "CA \(caFile ?? "certificate"): \(error)")
        }
        if let certificatePEM, let keyPEM {
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificatePEM).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
            } catch {
                throw .tls(broker: "-", cause: "client certificate or key: \(error)")
            }
        }
        switch (certificateFile, keyFile) {
        case (nil, nil):
            break
        case let (certificate?, key?):
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw .tls(broker: "-", cause: "client certificate \(certificate) or key \(key): \(error)")
            }
        default:
            throw .tls(broker: "-", cause: "a client certificate needs both a certificate file and a key file")
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tls(broker: "-", cause: "\(error)")
        }
    }
}

extension ClientTLS {
    /// The TLS server name (SNI) for a connection to `host`: `explicit` when given, else `host`,
    /// but none for an IP literal (IPv4, or IPv6 with or without brackets and zone): SNI takes
    /// host names only (RFC 6066), NIOSSL refuses an address there, and the certificate is then
    /// checked against the IP.
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
}
