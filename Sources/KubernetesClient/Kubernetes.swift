import Foundation
import KubernetesTypes
import NIOHTTP1

/// How a patch is written.
public enum Patch: Sendable {
    /// RFC 7386 JSON merge patch: the fields given replace the object's; null deletes.
    case merge([UInt8])
    /// RFC 6902 JSON patch: a list of operations, with `test` for optimistic checks.
    case json([UInt8])
    /// Server-side apply: the fields `fieldManager` owns become exactly these.
    case apply([UInt8], fieldManager: String, force: Bool)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    var body: [UInt8] {
        switch self {
        case .merge(let body), .json(let body), .apply(let body, _, _): return body
        }
    }
}

/// A typed Kubernetes API client: get, list (every page), watch, create, patch, status and
/// scale updates, delete. Errors carry the API's Status and name the step.
public final class Kubernetes: Sendable {
    public let http: HTTPEndpoint
    public let configuration: KubernetesConfiguration
    /// Requests other than watches give up after this long (a watch: waiting for its answer to start).
    public let timeout: Duration

    /// `limits` bounds what is read of each answer: a page of a list, one watch event.
    public init(
        _ configuration: KubernetesConfiguration, timeout: Duration = .seconds(30), limits: HTTPEndpointConfiguration.Limits = .kubernetes
    ) throws(KubeConfigError) {
        self.configuration = configuration
        do {
            self.http = try HTTPEndpoint(configuration.endpoint(limits: limits))
        } catch {
            throw KubeConfigError(
                file: configuration.source, field: "TLS", problem: "the certificates cannot be used (\(error))",
                fix: "check certificate-authority and client-certificate/key")
        }
        self.timeout = timeout
    }

    /// The Authorization header now (a token file is read on each call: tokens rotate).
    func headers(contentType: String? = nil) throws(KubernetesClientError) -> [(String, String)] {
        var headers: [(String, String)] = []
        switch configuration.credentials {
        case .none: break
        case .token(let token): headers.append(("Authorization", "Bearer \(token)"))
        case .tokenFile(let path):
            let token: String
            do {
                token = try TextFile.read(path)
            } catch {
                throw .configuration(
                    KubeConfigError(
                        file: path, problem: "the token file cannot be read: \(error.reason)", fix: "check the service account token mount"))
            }
            headers.append(("Authorization", "Bearer \(token.trimmingCharacters(in: .whitespacesAndNewlines))"))
        case let .basic(username, password):
            headers.append(("Authorization", "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())"))
        }
        if let contentType { headers.append(("Content-Type", contentType)) }
        return headers
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func decode<T: Decodable>(_: T.Type, _ body: [UInt8], step: String) throws(KubernetesClientError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw .decode(step: step, cause: DecodingErrorText.describe(error))
        } catch {
            throw .decode(step: step, cause: "\(error)")
        }
    }

    public static func encode<T: Encodable>(_ value: T, step: String) throws(KubernetesClientError) -> [UInt8] {
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw .decode(step: step, cause: "cannot encode: \(error)")
        }
    }

    func call(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], contentType: String? = nil, body: [UInt8]? = nil, step: String
    ) async throws(KubernetesClientError) -> [UInt8] {
        let headers = try headers(contentType: contentType)
        let answer: HTTPAnswer
        do {
            answer = try await http.send(method, path, query: query, headers: headers, body: body, timeout: timeout)
        } catch {
            throw KubernetesClientError(step: step, error)
        }
        guard (200..<300).contains(answer.status) else { throw .api(APIError(step: step, httpStatus: answer.status, body: answer.body)) }
        return answer.body
    }

    // MARK: Reads

    public func get<R: KubernetesResource>(_: R.Type, namespace: String?, name: String) async throws(KubernetesClientError) -> R {
        let step = "get \(R.kindName.lowercased()) \(namespace.map { "\($0)/" } ?? "")\(name)"
        return try Self.decode(R.self, try await call(.GET, R.resource.path(namespace: namespace, name: name), step: step), step: step)
    }

    struct ListPage<Item: Decodable>: Decodable {
        struct Meta: Decodable {
            var resourceVersion: String?
            var `continue`: String?
        }

        var metadata: Meta
        var items: [Item]?
    }

    /// Every object (all pages of `pageSize`), and the list's resourceVersion to watch from.
    public func list<R: KubernetesResource>(
        _: R.Type, namespace: String?, labelSelector: String? = nil, pageSize: Int = 500
    ) async throws(KubernetesClientError) -> ResourceList<R> {
        let step = "list \(R.resource.plural)\(namespace.map { " in \($0)" } ?? "")"
        var items: [R] = []
        var next: String?
        var resourceVersion = ""
        repeat {
            var query = [("limit", String(pageSize))]
            if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
            if let next { query.append(("continue", next)) }
            let page = try Self.decode(
                ListPage<R>.self, try await call(.GET, R.resource.path(namespace: namespace), query: query, step: step), step: step)
            items += page.items ?? []
            resourceVersion = page.metadata.resourceVersion ?? resourceVersion
            next = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while next != nil
        return ResourceList(items: items, resourceVersion: resourceVersion)
    }

    struct EventHead: Decodable {
        struct Object: Decodable {
            struct Meta: Decodable { var resourceVersion: String? }
            var metadata: Meta?
        }

        var type: String
        var object: Object?
    }

    struct EventBody<Item: Decodable>: Decodable { var object: Item }

    /// Watches from `resourceVersion` (with bookmarks) until the server ends the stream,
    /// `timeoutSeconds` passes, or `onEvent` returns false. A 410 Gone (in the stream or as the
    /// answer) throws an APIError with `isGone`: relist.
    public func watch<R: KubernetesResource>(
        _: R.Type, namespace: String?, labelSelector: String? = nil, resourceVersion: String, timeoutSeconds: Int = 300,
        onEvent: (WatchEvent<R>) async throws(KubernetesClientError) -> Bool
    ) async throws(KubernetesClientError) {
        let step = "watch \(R.resource.plural)\(namespace.map { " in \($0)" } ?? "")"
        var query = [
            ("watch", "true"), ("allowWatchBookmarks", "true"), ("resourceVersion", resourceVersion), ("timeoutSeconds", String(timeoutSeconds))
        ]
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        let headers = try headers()
        var lines: HTTPLines
        do {
            lines = try await http.lines(R.resource.path(namespace: namespace), query: query, headers: headers, timeout: timeout)
        } catch {
            throw KubernetesClientError(step: step, error)
        }
        guard lines.status == 200 else {
            let body: [UInt8]
            do {
                body = try await lines.rest()
            } catch {
                throw KubernetesClientError(step: step, error)
            }
            throw .api(APIError(step: step, httpStatus: lines.status, body: body))
        }
        while true {
            let line: ArraySlice<UInt8>?
            do {
                line = try await lines.next()
            } catch {
                throw KubernetesClientError(step: step, error)
            }
            guard let line else { return }
            guard !line.isEmpty else { continue }
            if try await !onEvent(try Self.event(R.self, Array(line), resourceVersion: resourceVersion, step: step)) { return }
        }
    }

    /// One line of a watch: an event, or the ERROR it carries (410 Gone among them).
    static func event<R: KubernetesResource>(_: R.Type, _ bytes: [UInt8], resourceVersion: String, step: String) throws(KubernetesClientError)
        -> WatchEvent<R>
    {
        let head = try decode(EventHead.self, bytes, step: step)
        switch head.type {
        case "ADDED": return .added(try decode(EventBody<R>.self, bytes, step: step).object)
        case "MODIFIED": return .modified(try decode(EventBody<R>.self, bytes, step: step).object)
        case "DELETED": return .deleted(try decode(EventBody<R>.self, bytes, step: step).object)
        case "BOOKMARK": return .bookmark(resourceVersion: head.object?.metadata?.resourceVersion ?? resourceVersion)
        case "ERROR":
            let status = try decode(EventBody<APIStatus>.self, bytes, step: step).object
            throw .api(APIError(step: step, httpStatus: status.code ?? 500, status: status))
        default:
            throw .decode(step: step, cause: "unknown watch event type '\(head.type)'")
        }
    }

    // MARK: Writes

    public func create<R: KubernetesResource>(_ object: R) async throws(KubernetesClientError) -> R {
        let step = "create \(object.reference)"
        let body = try Self.encode(object, step: step)
        return try Self.decode(
            R.self,
            try await call(.POST, R.resource.path(namespace: object.metadata.namespace), contentType: "application/json", body: body, step: step),
            step: step)
    }

    /// Patches an object or its `status`/`scale` subresource.
    public func patch<R: KubernetesResource>(
        _: R.Type, namespace: String?, name: String, _ patch: Patch, subresource: String? = nil
    ) async throws(KubernetesClientError) -> R {
        let step = "patch \(R.kindName.lowercased()) \(namespace.map { "\($0)/" } ?? "")\(name)\(subresource.map { " (\($0))" } ?? "")"
        var query: [(String, String)] = []
        if case let .apply(_, manager, force) = patch {
            query.append(("fieldManager", manager))
            if force { query.append(("force", "true")) }
        }
        let body = try await call(
            .PATCH, R.resource.path(namespace: namespace, name: name, subresource: subresource), query: query, contentType: patch.contentType,
            body: patch.body, step: step)
        return try Self.decode(R.self, body, step: step)
    }

    /// Replaces an object (PUT), with its resourceVersion: a stale object fails with 409.
    public func replace<R: KubernetesResource>(_ object: R) async throws(KubernetesClientError) -> R {
        let step = "update \(object.reference)"
        guard let name = object.metadata.name else { throw .decode(step: step, cause: "the object has no name") }
        let body = try Self.encode(object, step: step)
        let answer = try await call(
            .PUT, R.resource.path(namespace: object.metadata.namespace, name: name), contentType: "application/json", body: body, step: step)
        return try Self.decode(R.self, answer, step: step)
    }

    /// Replaces `status` through the status subresource, with the object's resourceVersion: a
    /// stale object fails with 409 Conflict rather than overwriting a newer status.
    public func replaceStatus<R: KubernetesResource>(_ object: R) async throws(KubernetesClientError) -> R {
        let step = "update status of \(object.reference)"
        guard let name = object.metadata.name else { throw .decode(step: step, cause: "the object has no name") }
        let body = try Self.encode(object, step: step)
        let answer = try await call(
            .PUT, R.resource.path(namespace: object.metadata.namespace, name: name, subresource: "status"), contentType: "application/json",
            body: body, step: step)
        return try Self.decode(R.self, answer, step: step)
    }

    public func scale<R: KubernetesResource>(_: R.Type, namespace: String, name: String) async throws(KubernetesClientError) -> Scale {
        let step = "get scale of \(R.kindName.lowercased()) \(namespace)/\(name)"
        return try Self.decode(
            Scale.self, try await call(.GET, R.resource.path(namespace: namespace, name: name, subresource: "scale"), step: step), step: step)
    }

    /// Sets replicas through the scale subresource (a merge patch: no read-modify-write race).
    public func setReplicas<R: KubernetesResource>(_: R.Type, namespace: String, name: String, replicas: Int32) async throws(KubernetesClientError)
        -> Scale
    {
        let step = "scale \(R.kindName.lowercased()) \(namespace)/\(name) to \(replicas)"
        let body = Array(#"{"spec":{"replicas":\#(replicas)}}"#.utf8)
        let answer = try await call(
            .PATCH, R.resource.path(namespace: namespace, name: name, subresource: "scale"), contentType: "application/merge-patch+json", body: body,
            step: step)
        return try Self.decode(Scale.self, answer, step: step)
    }

    public func delete<R: KubernetesResource>(_: R.Type, namespace: String?, name: String) async throws(KubernetesClientError) {
        let step = "delete \(R.kindName.lowercased()) \(namespace.map { "\($0)/" } ?? "")\(name)"
        _ = try await call(.DELETE, R.resource.path(namespace: namespace, name: name), step: step)
    }
}
