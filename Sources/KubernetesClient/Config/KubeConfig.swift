import Foundation
import Yams

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

    public var scheme: String
    public var host: String
    public var port: Int
    /// A path prefix of the server URL (API servers behind a proxy), without a trailing slash.
    public var basePath: String
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
        guard let parts = Self.parse(server: server) else {
            throw KubeConfigError(file: source, field: "cluster.server", problem: "'\(server)' is not an http(s)://host[:port] URL", fix: "set the API server's URL, e.g. https://10.0.0.1:6443")
        }
        (scheme, host, port, basePath) = parts
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.credentials = credentials
        self.namespace = namespace
        self.source = source
    }

    public var usesTLS: Bool { scheme == "https" }

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
    public var server: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)\(basePath)" }

    static func parse(server: String) -> (String, String, Int, String)? {
        let scheme: String
        var rest: Substring
        if server.hasPrefix("https://") {
            scheme = "https"
            rest = server.dropFirst(8)
        } else if server.hasPrefix("http://") {
            scheme = "http"
            rest = server.dropFirst(7)
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
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { return nil }
            port = value
            host = String(host[..<colon])
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        return (scheme, host, port, path)
    }
}

/// A kubeconfig or in-cluster configuration that cannot be used, with the file, the field and
/// what to do about it.
public struct KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let field: String?
    public let problem: String
    public let fix: String

    public init(file: String, field: String? = nil, problem: String, fix: String) {
        self.file = file
        self.field = field
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        "\(file)\(field.map { ": \($0)" } ?? ""): \(problem); \(fix)"
    }
}

/// A kubeconfig file, or several merged as `KUBECONFIG=a:b` asks: the first file that sets
/// the current context wins, and for each named cluster, user and context the first
/// definition wins (kubectl's rules).
public struct KubeConfig: Sendable {
    struct Cluster: Sendable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool
        var tlsServerName: String?
        var file: String
    }

    struct User: Sendable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var password: String?
        var hasExec: Bool
        var hasAuthProvider: Bool
        var file: String
    }

    struct Context: Sendable {
        var cluster: String?
        var user: String?
        var namespace: String?
        var file: String
    }

    var currentContext: String?
    var clusters: [String: Cluster] = [:]
    var users: [String: User] = [:]
    var contexts: [String: Context] = [:]
    public private(set) var files: [String] = []

    /// An empty configuration; `merge(text:file:)` fills it.
    public init() {}

    /// The files kubectl would read: `explicit` (--kubeconfig), else every file of `KUBECONFIG`,
    /// else `~/.kube/config`.
    public static func paths(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let explicit { return [explicit] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return ["\(home)/.kube/config"]
    }

    /// Loads and merges `paths`. With several paths, missing files are skipped (as kubectl
    /// does); a single missing file is an error.
    public static func load(paths: [String]) throws(KubeConfigError) -> KubeConfig {
        var config = KubeConfig()
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                if paths.count == 1 {
                    throw KubeConfigError(file: path, problem: "no such file", fix: "pass --kubeconfig PATH, set KUBECONFIG, or run in a cluster")
                }
                continue
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw KubeConfigError(file: path, problem: "cannot be read (\(error.localizedDescription))", fix: "check the file's permissions")
            }
            try config.merge(text: text, file: path)
        }
        guard !config.files.isEmpty else {
            throw KubeConfigError(file: paths.joined(separator: ":"), problem: "none of these files exists", fix: "pass --kubeconfig PATH or fix KUBECONFIG")
        }
        return config
    }

    /// Parses one kubeconfig document into this one.
    public mutating func merge(text: String, file: String) throws(KubeConfigError) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw KubeConfigError(file: file, problem: "is not valid YAML (\(error))", fix: "check it with `kubectl config view --kubeconfig \(file)`")
        }
        files.append(file)
        guard let root = node?.mapping else {
            if node == nil { return }  // an empty file, as kubectl allows
            throw KubeConfigError(file: file, problem: "is not a kubeconfig (the top level is not a mapping)", fix: "write a kubeconfig with clusters, users and contexts")
        }
        if currentContext == nil, let current = root["current-context"]?.string, !current.isEmpty { currentContext = current }
        for (index, entry) in try Self.list(root, "clusters", file).enumerated() {
            let (name, body) = try Self.named(entry, "clusters[\(index)]", "cluster", file)
            guard clusters[name] == nil else { continue }
            clusters[name] = Cluster(
                server: body["server"]?.string, certificateAuthority: body["certificate-authority"]?.string,
                certificateAuthorityData: body["certificate-authority-data"]?.string,
                insecureSkipTLSVerify: body["insecure-skip-tls-verify"]?.bool ?? false, tlsServerName: body["tls-server-name"]?.string, file: file)
        }
        for (index, entry) in try Self.list(root, "users", file).enumerated() {
            let (name, body) = try Self.named(entry, "users[\(index)]", "user", file)
            guard users[name] == nil else { continue }
            users[name] = User(
                token: body["token"]?.string, tokenFile: body["tokenFile"]?.string,
                clientCertificate: body["client-certificate"]?.string, clientCertificateData: body["client-certificate-data"]?.string,
                clientKey: body["client-key"]?.string, clientKeyData: body["client-key-data"]?.string,
                username: body["username"]?.string, password: body["password"]?.string,
                hasExec: body["exec"] != nil, hasAuthProvider: body["auth-provider"] != nil, file: file)
        }
        for (index, entry) in try Self.list(root, "contexts", file).enumerated() {
            let (name, body) = try Self.named(entry, "contexts[\(index)]", "context", file)
            guard contexts[name] == nil else { continue }
            contexts[name] = Context(cluster: body["cluster"]?.string, user: body["user"]?.string, namespace: body["namespace"]?.string, file: file)
        }
    }

    static func list(_ root: Node.Mapping, _ key: String, _ file: String) throws(KubeConfigError) -> [Node] {
        guard let node = root[key] else { return [] }
        if case .scalar(let scalar) = node, scalar.string == "null" || scalar.string.isEmpty { return [] }
        guard let sequence = node.sequence else {
            throw KubeConfigError(file: file, field: key, problem: "must be a list", fix: "write `\(key):` followed by `- name: ...` entries")
        }
        return Array(sequence)
    }

    static func named(_ entry: Node, _ path: String, _ bodyKey: String, _ file: String) throws(KubeConfigError) -> (String, Node.Mapping) {
        guard let mapping = entry.mapping, let name = mapping["name"]?.string, !name.isEmpty else {
            throw KubeConfigError(file: file, field: "\(path).name", problem: "is missing", fix: "give every entry a name")
        }
        guard let body = mapping[bodyKey]?.mapping else {
            throw KubeConfigError(file: file, field: "\(path).\(bodyKey)", problem: "is missing or not a mapping", fix: "add the \(bodyKey) settings under `\(bodyKey):`")
        }
        return (name, body)
    }

    public var contextNames: [String] { contexts.keys.sorted() }
    public var currentContextName: String? { currentContext }

    /// The configuration of `context` (the current context when nil).
    public func resolve(context requested: String? = nil) throws(KubeConfigError) -> KubernetesConfiguration {
        let where_ = files.joined(separator: ":")
        guard let name = requested ?? currentContext else {
            throw KubeConfigError(file: where_, field: "current-context", problem: "is not set", fix: "pass --context (one of: \(contextNames.joined(separator: ", ")))")
        }
        guard let context = contexts[name] else {
            throw KubeConfigError(file: where_, field: "contexts", problem: "has no context '\(name)'", fix: "use one of: \(contextNames.isEmpty ? "(none defined)" : contextNames.joined(separator: ", "))")
        }
        guard let clusterName = context.cluster, let cluster = clusters[clusterName] else {
            throw KubeConfigError(file: context.file, field: "contexts[\(name)].context.cluster", problem: "names no defined cluster ('\(context.cluster ?? "")')", fix: "define it under clusters or fix the name")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw KubeConfigError(file: cluster.file, field: "clusters[\(clusterName)].cluster.server", problem: "is missing", fix: "set the API server's URL")
        }
        var user = User(hasExec: false, hasAuthProvider: false, file: context.file)
        if let userName = context.user, !userName.isEmpty {
            guard let defined = users[userName] else {
                throw KubeConfigError(file: context.file, field: "contexts[\(name)].context.user", problem: "names no defined user ('\(userName)')", fix: "define it under users or fix the name")
            }
            user = defined
        }
        if (user.hasExec || user.hasAuthProvider), user.token == nil, user.tokenFile == nil, user.clientCertificate == nil, user.clientCertificateData == nil {
            throw KubeConfigError(
                file: user.file, field: "users[\(context.user ?? "")].user.\(user.hasExec ? "exec" : "auth-provider")",
                problem: "credential plugins are not supported by Ebb", fix: "give Ebb a service account token (tokenFile) or a client certificate")
        }
        let credentials: KubernetesConfiguration.Credentials
        if let token = user.token, !token.isEmpty {
            credentials = .token(token)
        } else if let tokenFile = user.tokenFile {
            credentials = .tokenFile(Self.relative(tokenFile, to: user.file))
        } else if let username = user.username, let password = user.password {
            credentials = .basic(username: username, password: password)
        } else {
            credentials = .none
        }
        let field = "clusters[\(clusterName)].cluster"
        return try KubernetesConfiguration(
            server: server,
            certificateAuthorityPEM: try Self.pem(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, owner: cluster.file, field: "\(field).certificate-authority"),
            clientCertificatePEM: try Self.pem(data: user.clientCertificateData, file: user.clientCertificate, owner: user.file, field: "users[\(context.user ?? "")].user.client-certificate"),
            clientKeyPEM: try Self.pem(data: user.clientKeyData, file: user.clientKey, owner: user.file, field: "users[\(context.user ?? "")].user.client-key"),
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify, tlsServerName: cluster.tlsServerName, credentials: credentials,
            namespace: context.namespace ?? "default", source: "kubeconfig \(where_), context \(name)")
    }

    /// PEM bytes from `*-data` (base64) or from a file (relative to the kubeconfig).
    static func pem(data: String?, file: String?, owner: String, field: String) throws(KubeConfigError) -> [UInt8]? {
        if let data {
            guard let decoded = Data(base64Encoded: data.filter { !$0.isWhitespace }) else {
                throw KubeConfigError(file: owner, field: "\(field)-data", problem: "is not base64", fix: "encode the PEM file with `base64 -w0`")
            }
            return Array(decoded)
        }
        guard let file else { return nil }
        let path = relative(file, to: owner)
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(file: owner, field: field, problem: "names '\(path)', which cannot be read", fix: "fix the path or embed the PEM as \(field.split(separator: ".").last ?? "")-data")
        }
        return Array(contents)
    }

    static func relative(_ path: String, to kubeconfig: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: kubeconfig).deletingLastPathComponent().appendingPathComponent(path).path
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
            throw KubeConfigError(file: "environment", field: "KUBERNETES_SERVICE_HOST", problem: "is not set: not running in a pod", fix: "pass --kubeconfig when running outside a cluster")
        }
        let token = "\(directory)/token"
        guard FileManager.default.isReadableFile(atPath: token) else {
            throw KubeConfigError(file: token, problem: "cannot be read", fix: "mount the service account token (automountServiceAccountToken: true)")
        }
        guard let ca = FileManager.default.contents(atPath: "\(directory)/ca.crt") else {
            throw KubeConfigError(file: "\(directory)/ca.crt", problem: "cannot be read", fix: "mount the service account's CA")
        }
        let namespace = (try? String(contentsOfFile: "\(directory)/namespace", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return try KubernetesConfiguration(
            server: "https://\(hostPart):\(port)", certificateAuthorityPEM: Array(ca), credentials: .tokenFile(token),
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default", source: "in-cluster service account")
    }
}
