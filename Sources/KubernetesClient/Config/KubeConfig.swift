import Foundation
import KubernetesTypes
import Yams

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
    struct Cluster: Sendable, Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool
        var tlsServerName: String?
        var file = ""

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            server = try fields.decodeIfPresent(String.self, forKey: .server)
            certificateAuthority = try fields.decodeIfPresent(String.self, forKey: .certificateAuthority)
            certificateAuthorityData = try fields.decodeIfPresent(String.self, forKey: .certificateAuthorityData)
            insecureSkipTLSVerify = try fields.decodeIfPresent(Bool.self, forKey: .insecureSkipTLSVerify) ?? false
            tlsServerName = try fields.decodeIfPresent(String.self, forKey: .tlsServerName)
        }
    }

    struct User: Sendable, Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var password: String?
        var hasExec = false
        var hasAuthProvider = false
        var file = ""

        enum CodingKeys: String, CodingKey {
            case token, tokenFile
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case username, password, exec
            case authProvider = "auth-provider"
        }

        init(file: String) { self.file = file }

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            token = try fields.decodeIfPresent(String.self, forKey: .token)
            tokenFile = try fields.decodeIfPresent(String.self, forKey: .tokenFile)
            clientCertificate = try fields.decodeIfPresent(String.self, forKey: .clientCertificate)
            clientCertificateData = try fields.decodeIfPresent(String.self, forKey: .clientCertificateData)
            clientKey = try fields.decodeIfPresent(String.self, forKey: .clientKey)
            clientKeyData = try fields.decodeIfPresent(String.self, forKey: .clientKeyData)
            username = try fields.decodeIfPresent(String.self, forKey: .username)
            password = try fields.decodeIfPresent(String.self, forKey: .password)
            // Credential plugins are refused, whatever they hold.
            hasExec = fields.contains(.exec)
            hasAuthProvider = fields.contains(.authProvider)
        }
    }

    struct Context: Sendable, Decodable {
        var cluster: String?
        var user: String?
        var namespace: String?
        var file = ""

        enum CodingKeys: String, CodingKey { case cluster, user, namespace }
    }

    /// One kubeconfig file as written (kubectl's field names; fields Ebb does not use are ignored).
    struct Document: Decodable {
        var currentContext: String?
        var clusters: [Entry<Cluster>]?
        var users: [Entry<User>]?
        var contexts: [Entry<Context>]?

        enum CodingKeys: String, CodingKey {
            case currentContext = "current-context"
            case clusters, users, contexts
        }
    }

    /// `- name: N` with the settings under `cluster:`, `user:` or `context:`.
    struct Entry<Body: Decodable & Sendable>: Decodable {
        var name: String?
        var body: Body?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        static var bodyKey: String {
            switch Body.self {
            case is Cluster.Type: return "cluster"
            case is User.Type: return "user"
            default: return "context"
            }
        }

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: Key.self)
            name = try fields.decodeIfPresent(String.self, forKey: Key(stringValue: "name"))
            body = try fields.decodeIfPresent(Body.self, forKey: Key(stringValue: Self.bodyKey))
        }
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
                text = try TextFile.read(path)
            } catch {
                throw KubeConfigError(file: path, problem: "cannot be read: \(error.reason)", fix: "check the file's permissions")
            }
            try config.merge(text: text, file: path)
        }
        guard !config.files.isEmpty else {
            throw KubeConfigError(
                file: paths.joined(separator: ":"), problem: "none of these files exists", fix: "pass --kubeconfig PATH or fix KUBECONFIG")
        }
        return config
    }

    /// Parses one kubeconfig document into this one.
    public mutating func merge(text: String, file: String) throws(KubeConfigError) {
        let decoded: Document?
        do {
            decoded = try YAMLDecoder().decode(Document?.self, from: text)
        } catch let error as DecodingError {
            throw Self.explain(error, file: file)
        } catch {
            throw KubeConfigError(
                file: file, problem: "is not valid YAML (\(error))", fix: "check it with `kubectl config view --kubeconfig \(file)`")
        }
        files.append(file)
        guard let document = decoded else { return }  // an empty file, as kubectl allows
        if currentContext == nil, let current = document.currentContext, !current.isEmpty { currentContext = current }
        for (name, var cluster) in try Self.named(document.clusters, "clusters", file) where clusters[name] == nil {
            cluster.file = file
            clusters[name] = cluster
        }
        for (name, var user) in try Self.named(document.users, "users", file) where users[name] == nil {
            user.file = file
            users[name] = user
        }
        for (name, var context) in try Self.named(document.contexts, "contexts", file) where contexts[name] == nil {
            context.file = file
            contexts[name] = context
        }
    }

    /// The entries of one list, each with its name and settings (the first of a name wins).
    static func named<Body>(_ entries: [Entry<Body>]?, _ list: String, _ file: String) throws(KubeConfigError) -> [(String, Body)] {
        var named: [(String, Body)] = []
        for (index, entry) in (entries ?? []).enumerated() {
            guard let name = entry.name, !name.isEmpty else {
                throw KubeConfigError(file: file, field: "\(list)[\(index)].name", problem: "is missing", fix: "give every entry a name")
            }
            guard let body = entry.body else { throw missingBody(list, index, Entry<Body>.bodyKey, file) }
            named.append((name, body))
        }
        return named
    }

    static func missingBody(_ list: String, _ index: Int, _ key: String, _ file: String) -> KubeConfigError {
        KubeConfigError(
            file: file, field: "\(list)[\(index)].\(key)", problem: "is missing or not a mapping", fix: "add the \(key) settings under `\(key):`")
    }

    /// What a decoding error means for the person who wrote the file, at the field it names.
    static func explain(_ error: DecodingError, file: String) -> KubeConfigError {
        let path: [any CodingKey]
        let detail: String
        switch error {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let cause = context.underlyingError.map { "\($0)" } ?? context.debugDescription
                return KubeConfigError(
                    file: file, problem: "is not valid YAML (\(cause))", fix: "check it with `kubectl config view --kubeconfig \(file)`")
            }
            (path, detail) = (context.codingPath, context.debugDescription)
        case let .typeMismatch(type, context): (path, detail) = (context.codingPath, "is not a \(type)")
        case let .valueNotFound(type, context): (path, detail) = (context.codingPath, "has no \(type) value")
        case let .keyNotFound(key, context): (path, detail) = (context.codingPath + [key], "is missing")
        @unknown default: (path, detail) = ([], "\(error)")
        }
        let keys = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        if keys.isEmpty {
            return KubeConfigError(
                file: file, problem: "is not a kubeconfig (the top level is not a mapping)",
                fix: "write a kubeconfig with clusters, users and contexts")
        }
        if keys.count == 1, ["clusters", "users", "contexts"].contains(keys[0]) {
            return KubeConfigError(
                file: file, field: keys[0], problem: "must be a list", fix: "write `\(keys[0]):` followed by `- name: ...` entries")
        }
        if keys.count == 3, let index = path[1].intValue, ["cluster", "user", "context"].contains(keys[2]) {
            return missingBody(keys[0], index, keys[2], file)
        }
        let field = keys.enumerated().map { $0.offset == 0 || $0.element.hasPrefix("[") ? $0.element : ".\($0.element)" }.joined()
        return KubeConfigError(file: file, field: field, problem: detail, fix: "see `kubectl config view --kubeconfig \(file)`")
    }

    public var contextNames: [String] { contexts.keys.sorted() }
    public var currentContextName: String? { currentContext }

    /// The configuration of `context` (the current context when nil).
    public func resolve(context requested: String? = nil) throws(KubeConfigError) -> KubernetesConfiguration {
        let sources = files.joined(separator: ":")
        guard let name = requested ?? currentContext else {
            throw KubeConfigError(
                file: sources, field: "current-context", problem: "is not set",
                fix: "pass --context (one of: \(contextNames.joined(separator: ", ")))"
            )
        }
        guard let context = contexts[name] else {
            throw KubeConfigError(
                file: sources, field: "contexts", problem: "has no context '\(name)'",
                fix: "use one of: \(contextNames.isEmpty ? "(none defined)" : contextNames.joined(separator: ", "))")
        }
        guard let clusterName = context.cluster, let cluster = clusters[clusterName] else {
            throw KubeConfigError(
                file: context.file, field: "contexts[\(name)].context.cluster", problem: "names no defined cluster ('\(context.cluster ?? "")')",
                fix: "define it under clusters or fix the name")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw KubeConfigError(
                file: cluster.file, field: "clusters[\(clusterName)].cluster.server", problem: "is missing", fix: "set the API server's URL")
        }
        var user = User(file: context.file)
        if let userName = context.user, !userName.isEmpty {
            guard let defined = users[userName] else {
                throw KubeConfigError(
                    file: context.file, field: "contexts[\(name)].context.user", problem: "names no defined user ('\(userName)')",
                    fix: "define it under users or fix the name")
            }
            user = defined
        }
        if user.hasExec || user.hasAuthProvider, user.token == nil, user.tokenFile == nil, user.clientCertificate == nil,
            user.clientCertificateData == nil
        {
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
            certificateAuthorityPEM: try Self.pem(
                data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, owner: cluster.file,
                field: "\(field).certificate-authority"),
            clientCertificatePEM: try Self.pem(
                data: user.clientCertificateData, file: user.clientCertificate, owner: user.file,
                field: "users[\(context.user ?? "")].user.client-certificate"),
            clientKeyPEM: try Self.pem(
                data: user.clientKeyData, file: user.clientKey, owner: user.file, field: "users[\(context.user ?? "")].user.client-key"),
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify, tlsServerName: cluster.tlsServerName, credentials: credentials,
            namespace: context.namespace ?? "default", source: "kubeconfig \(sources), context \(name)")
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
            throw KubeConfigError(
                file: owner, field: field, problem: "names '\(path)', which cannot be read",
                fix: "fix the path or embed the PEM as \(field.split(separator: ".").last ?? "")-data")
        }
        return Array(contents)
    }

    static func relative(_ path: String, to kubeconfig: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: kubeconfig).deletingLastPathComponent().appendingPathComponent(path).path
    }
}
