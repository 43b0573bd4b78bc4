import Foundation
import KubernetesTypes

/// Where and how to reach the API server: what a kubeconfig context or the in-cluster
/// service account resolves to.
public struct KubernetesConfiguration: Sendable {
    public enum Credentials: Sendable, Hashable {
        case none
        case token(String)
        /// Read again before each request, so that rotated service account tokens are used.
        case tokenFile(String)
        case basic(username: String, password: String)
    }

    /// The server URL: scheme, host, port and a path prefix (API servers behind a proxy).
    public var address: ServerAddress
    public var certificateAuthorityPEM: [UInt8]?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var tlsServerName: String?
    public var credentials: Credentials
    /// The context's namespace, or the pod's for in-cluster configuration ("default" otherwise).
    public var namespace: String
    /// Where this came from, for the log: "kubeconfig ~/.kube/config, context shop-prod".
    public var source: String

    public init(
        server: String, certificateAuthorityPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil, credentials: Credentials = .none,
        namespace: String = "default", source: String = "explicit"
    ) throws(KubeConfigError) {
        guard let address = ServerAddress(server) else {
            throw KubeConfigError(
                file: source, field: "cluster.server", problem: "'\(server)' is not an http(s)://host[:port] URL",
                fix: "set the API server's URL, e.g. https://10.0.0.1:6443")
        }
        self.address = address
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.credentials = credentials
        self.namespace = namespace
        self.source = source
    }

    public var usesTLS: Bool { address.usesTLS }
    public var host: String { address.host }
    public var port: Int { address.port }
    public var basePath: String { address.basePath }

    /// What the operator must warn about at start-up: certificates not verified, or credentials
    /// sent in the clear.
    public var warnings: [String] {
        var warnings: [String] = []
        if usesTLS, insecureSkipTLSVerify {
            warnings.append("insecure-skip-tls-verify is set for \(server) (\(source)): the API server's certificate is not checked")
        }
        if !usesTLS, credentials != .none {
            warnings.append("credentials go to \(server) without TLS (\(source))")
        }
        return warnings
    }
    public var server: String { address.description }

    /// How `HTTPEndpoint` reaches this API server, reading at most `limits` of each answer.
    public func endpoint(userAgent: String = "ebb/0.1", limits: HTTPEndpointConfiguration.Limits = .kubernetes) -> HTTPEndpointConfiguration {
        HTTPEndpointConfiguration(
            address: address,
            tls: HTTPEndpointConfiguration.TLS(
                certificateAuthorityPEM: certificateAuthorityPEM, clientCertificatePEM: clientCertificatePEM, clientKeyPEM: clientKeyPEM,
                skipVerification: insecureSkipTLSVerify, serverName: tlsServerName),
            peer: "the API server at \(server)", userAgent: userAgent, limits: limits)
    }
}

extension KubernetesConfiguration {
    public static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// In-cluster configuration: `KUBERNETES_SERVICE_HOST/PORT`, the service account's token
    /// (re-read on every request, as it rotates), CA and namespace.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment, directory: String = serviceAccount
    ) throws(KubeConfigError) -> KubernetesConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"], !host.isEmpty else {
            throw KubeConfigError(
                file: "environment", field: "KUBERNETES_SERVICE_HOST", problem: "is not set: not running in a pod",
                fix: "pass --kubeconfig when running outside a cluster")
        }
        let token = "\(directory)/token"
        guard FileManager.default.isReadableFile(atPath: token) else {
            throw KubeConfigError(file: token, problem: "cannot be read", fix: "mount the service account token (automountServiceAccountToken: true)")
        }
        guard let ca = FileManager.default.contents(atPath: "\(directory)/ca.crt") else {
            throw KubeConfigError(file: "\(directory)/ca.crt", problem: "cannot be read", fix: "mount the service account's CA")
        }
        // The namespace file is optional (a token projected without it): "default" then.
        let namespaceFile = "\(directory)/namespace"
        var namespace: String?
        if FileManager.default.fileExists(atPath: namespaceFile) {
            do {
                namespace = try TextFile.read(namespaceFile).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw KubeConfigError(
                    file: namespaceFile, problem: "cannot be read: \(error.reason)", fix: "mount the service account's namespace file")
            }
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return try KubernetesConfiguration(
            server: "https://\(hostPart):\(port)", certificateAuthorityPEM: Array(ca), credentials: .tokenFile(token),
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default", source: "in-cluster service account")
    }
}
