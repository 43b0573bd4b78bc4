import Foundation
import Yams

/// A request to the face, whole.
struct FaceRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var accept: String
    var contentType: String
    var body: [UInt8]
    /// Who sent it (authenticated by the server from the bearer token or client certificate).
    var user: FaceUser
    /// The manager an Update is recorded under without ?fieldManager: the User-Agent's program.
    var userAgent: String

    init(method: String, uri: String, accept: String, contentType: String, body: [UInt8], user: FaceUser = .admin, userAgent: String = "") {
        self.method = method
        self.user = user
        self.userAgent = userAgent
        self.accept = accept
        self.contentType = contentType
        self.body = body
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
                query[key] = value
            }
        }
        self.query = query
    }

    var wantsTable: Bool { accept.contains("as=Table") }

    var writeOptions: KubernetesWorld.WriteOptions {
        KubernetesWorld.WriteOptions(
            dryRun: query["dryRun"] == "All", fieldValidation: query["fieldValidation"] ?? "",
            fieldManager: query["fieldManager"] ?? userAgent.split(separator: "/").first.map(String.init) ?? "unknown",
            force: query["force"] == "true")
    }

    var isWatch: Bool { query["watch"] == "true" || query["watch"] == "1" }
}

/// What the face answers: a JSON document, or a watch stream to open.
enum FaceReply: Sendable {
    case json(Int, JSON)
    /// An answer with `Warning` headers (unknown fields under fieldValidation=Warn).
    case warned(Int, JSON, [String])
    case watch(FaceWatch)
}

struct FaceWatch: Sendable {
    var resource: FaceResource
    var namespace: String?
    var selector: FaceLabelSelector
    var resourceVersion: String?
    var timeoutSeconds: Double
    var bookmarks: Bool
    var asTable: Bool
}

/// Routes API paths to the world: discovery, OpenAPI, and the resource verbs.
struct KubernetesFaceRouter: Sendable {
    let world: KubernetesWorld
    let address: String

    func answer(_ request: FaceRequest) -> FaceReply {
        do {
            return try route(request)
        } catch {
            return .json(error.code, error.status)
        }
    }

    func route(_ request: FaceRequest) throws(FaceError) -> FaceReply {
        if world.isUnavailable {
            throw FaceError(code: 503, reason: "ServiceUnavailable", message: "the simulated API server is unavailable")
        }
        let segments = request.path.split(separator: "/").map(String.init)
        switch segments.first {
        case "version": return .json(200, world.versionDocument())
        case "healthz", "readyz", "livez": return .json(200, .string("ok"))
        case "openapi":
            guard segments.count >= 2, segments[1] == "v3" else {
                throw FaceError(code: 404, reason: "NotFound", message: "only OpenAPI v3 is served")
            }
            if segments.count == 2 { return .json(200, world.openAPIIndex()) }
            let (group, version) = segments[2] == "api" ? ("", segments[safe: 3] ?? "") : (segments[safe: 3] ?? "", segments[safe: 4] ?? "")
            guard let document = world.openAPIDocument(group: group, version: version) else {
                throw FaceError(code: 404, reason: "NotFound", message: "no such group version")
            }
            return .json(200, document)
        case "api":
            if segments.count == 1 { return .json(200, world.coreVersions(address: address)) }
            return try resourceRequest(request, group: "", version: segments[1], rest: Array(segments.dropFirst(2)))
        case "apis":
            if segments.count == 1 { return .json(200, world.groupList()) }
            guard segments.count >= 3 else {
                throw FaceError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
            }
            return try resourceRequest(request, group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)))
        default:
            throw FaceError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    func resourceRequest(_ request: FaceRequest, group: String, version: String, rest: [String]) throws(FaceError) -> FaceReply {
        if rest.isEmpty {
            guard let list = world.resourceList(group: group, version: version) else {
                throw FaceError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
            }
            return .json(200, list)
        }
        var rest = rest
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let resource = world.resource(group: group, version: version, plural: rest[0]) else {
            throw FaceError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        let verb: String
        switch request.method {
        case "GET": verb = rest.count == 1 ? (request.isWatch ? "watch" : "list") : "get"
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = rest.count == 1 ? "deletecollection" : "delete"
        default: verb = request.method.lowercased()
        }
        let attributes = FaceAttributes(
            verb: verb, group: group, resource: resource.plural, subresource: rest[safe: 2], namespace: resource.namespaced ? namespace : nil,
            name: rest[safe: 1])
        if let forbidden = world.authorizer.check(request.user, attributes, in: world) { throw forbidden }
        if namespace != nil, !resource.namespaced {
            // /api/v1/namespaces/NAME: the namespace object itself.
            if resource.plural == "namespaces" {
                return try object(request, resource, namespace: nil, name: namespace!, subresource: rest.first == "namespaces" ? nil : rest.first)
            }
            throw FaceError(code: 404, reason: "NotFound", message: "\(resource.plural) are not namespaced")
        }
        if rest.count == 1 { return try collection(request, resource, namespace: namespace) }
        return try object(request, resource, namespace: namespace, name: rest[1], subresource: rest[safe: 2])
    }

    func collection(_ request: FaceRequest, _ resource: FaceResource, namespace: String?) throws(FaceError) -> FaceReply {
        let selector: FaceLabelSelector
        do {
            selector = try FaceLabelSelector(request.query["labelSelector"])
        } catch {
            throw FaceError(code: 400, reason: "BadRequest", message: "unable to parse requirement: \(error)")
        }
        switch request.method {
        case "GET":
            if request.query["watch"] == "true" || request.query["watch"] == "1" {
                return .watch(
                    FaceWatch(
                        resource: resource, namespace: namespace, selector: selector, resourceVersion: request.query["resourceVersion"],
                        timeoutSeconds: Double(request.query["timeoutSeconds"] ?? "") ?? 1800,
                        bookmarks: request.query["allowWatchBookmarks"] == "true",
                        asTable: request.wantsTable))
            }
            if let version = request.query["resourceVersion"].flatMap(Int64.init), request.query["resourceVersionMatch"] == "Exact",
                world.isCompacted(version)
            {
                throw FaceError(code: 410, reason: "Expired", message: "The resourceVersion for the provided list is too old.")
            }
            let token = try FaceContinueToken(request.query["continue"])
            let page = world.list(
                resource, namespace: namespace, selector: selector, limit: request.query["limit"].flatMap { Int($0) }, after: token?.start)
            let revision = token?.revision ?? page.revision
            let next = page.next.map { FaceContinueToken(revision: revision, start: $0).encoded }
            if request.wantsTable {
                return .json(200, KubernetesWorld.table(page.items, resource, resourceVersion: String(revision), next: next, now: world.now))
            }
            var metadata: [String: JSON] = ["resourceVersion": .string(String(revision))]
            // As the server: a paged list says `continue` on every page ("" on the last) and how
            // many items remain while there are more.
            if request.query["limit"] != nil || token != nil {
                metadata["continue"] = .string(next ?? "")
                if next != nil { metadata["remainingItemCount"] = .int(Int64(page.remaining)) }
            }
            return .json(
                200,
                .object([
                    "kind": .string("\(resource.kind)List"), "apiVersion": .string(resource.apiVersion), "metadata": .object(metadata),
                    "items": .array(page.items)
                ]))
        case "POST":
            let created = try world.create(resource, namespace: namespace, try parse(request), options: request.writeOptions)
            return .warned(201, created.object, created.warnings)
        default:
            throw FaceError(code: 405, reason: "MethodNotAllowed", message: "\(request.method) is not allowed on a collection")
        }
    }

    func object(_ request: FaceRequest, _ resource: FaceResource, namespace: String?, name: String, subresource: String?) throws(FaceError)
        -> FaceReply
    {
        if let subresource, subresource != "status", subresource != "scale" {
            throw FaceError(code: 404, reason: "NotFound", message: "no subresource \(subresource)")
        }
        if subresource == "status", !resource.hasStatus {
            throw FaceError(code: 404, reason: "NotFound", message: "\(resource.plural) have no status subresource")
        }
        if subresource == "scale" { return try scale(request, resource, namespace: namespace, name: name) }
        switch request.method {
        case "GET":
            let object = try world.get(resource, namespace: namespace, name: name)
            if request.wantsTable {
                return .json(200, KubernetesWorld.table([object], resource, resourceVersion: String(world.revision), next: nil, now: world.now))
            }
            return .json(200, object)
        case "PUT":
            let body = try parse(request)
            let written = try world.modify(
                resource, namespace: namespace, name: name, subresource: subresource,
                expectedVersion: body.value(at: "metadata.resourceVersion")?.string,
                options: request.writeOptions
            ) { _ in body }
            return .warned(200, written.object, written.warnings)
        case "PATCH":
            return try patch(request, resource, namespace: namespace, name: name, subresource: subresource)
        case "DELETE":
            let deleted = try world.delete(resource, namespace: namespace, name: name, dryRun: request.writeOptions.dryRun)
            // Pods are deleted gracefully and answer with the object; the kinds Ebb uses answer
            // with a Status.
            return .json(200, resource.plural == "pods" ? deleted : FaceError.deleted(resource, deleted))
        default:
            throw FaceError(code: 405, reason: "MethodNotAllowed", message: "\(request.method) is not allowed")
        }
    }

    func patch(_ request: FaceRequest, _ resource: FaceResource, namespace: String?, name: String, subresource: String?) throws(FaceError)
        -> FaceReply
    {
        let type = request.contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let custom = world.schema(of: resource) != nil
        let options = request.writeOptions
        let written: (object: JSON, warnings: [String])
        switch type {
        case "application/apply-patch+yaml":
            guard request.query["fieldManager"].map({ !$0.isEmpty }) == true else {
                throw FaceError(
                    code: 422, reason: "Invalid",
                    message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                    details: FaceError.Details(
                        group: "meta.k8s.io", kind: "PatchOptions",
                        causes: [
                            FaceError.Cause(
                                reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager")
                        ]))
            }
            let applied = try parseYAML(request.body)
            if !world.exists(resource, namespace: namespace, name: name), subresource == nil {
                let created = try world.create(resource, namespace: namespace, applied, options: options)
                return .warned(201, created.object, created.warnings)
            }
            written = try world.apply(resource, namespace: namespace, name: name, subresource: subresource, applied, options: options)
        case "application/merge-patch+json", "application/strategic-merge-patch+json":
            // Custom resources have no Go types to merge strategically by: the server refuses.
            if custom, type == "application/strategic-merge-patch+json" { throw Self.unsupportedPatch(custom: true) }
            // Built-in kinds: strategic merge is taken as a merge patch (lists replaced, not merged by key).
            let changes = Self.strippingDirectives(try parse(request))
            let expected = changes.value(at: "metadata.resourceVersion")?.string
            written = try world.modify(
                resource, namespace: namespace, name: name, subresource: subresource, expectedVersion: expected, options: options
            ) {
                $0.merging(changes)
            }
        case "application/json-patch+json":
            let operations = try parse(request)
            written = try world.modify(resource, namespace: namespace, name: name, subresource: subresource, options: options) {
                current throws(FaceError) -> JSON in
                do {
                    return try current.applying(jsonPatch: operations)
                } catch {
                    throw FaceError(code: 422, reason: "Invalid", message: "the JSON patch does not apply: \(error)")
                }
            }
        default:
            throw Self.unsupportedPatch(custom: custom)
        }
        return .warned(200, written.object, written.warnings)
    }

    func scale(_ request: FaceRequest, _ resource: FaceResource, namespace: String?, name: String) throws(FaceError) -> FaceReply {
        guard let paths = resource.scale else {
            throw FaceError(code: 404, reason: "NotFound", message: "\(resource.plural) have no scale subresource")
        }
        func scale(of object: JSON) -> JSON {
            var metadata: [String: JSON] = [:]
            for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
                metadata[field] = object.value(at: "metadata.\(field)")
            }
            var status: [String: JSON] = ["replicas": object.value(at: paths.statusReplicas) ?? .int(0)]
            if let selectorPath = paths.labelSelector, let selector = object.value(at: selectorPath) {
                status["selector"] = selector
            } else if paths.labelSelector == nil, let labels = object.value(at: "spec.selector.matchLabels")?.objectValue {
                // Built-in workloads: spec.selector rendered as a label-selector string.
                status["selector"] = .string(
                    labels.sorted { $0.key < $1.key }.compactMap { key, value in value.string.map { "\(key)=\($0)" } }.joined(separator: ","))
            }
            return .object([
                "kind": .string("Scale"), "apiVersion": .string("autoscaling/v1"), "metadata": .object(metadata),
                "spec": .object(["replicas": object.value(at: paths.specReplicas) ?? .int(0)]), "status": .object(status)
            ])
        }
        switch request.method {
        case "GET":
            let object = try world.get(resource, namespace: namespace, name: name)
            // A custom resource without the field its scale maps: the server cannot answer.
            if world.schema(of: resource) != nil, object.value(at: paths.specReplicas) == nil {
                let text = "the spec replicas field \"\(paths.specReplicas)\" does not exist"
                throw FaceError(
                    code: 500, reason: "InternalError", message: "Internal error occurred: \(text)",
                    details: FaceError.Details(causes: [FaceError.Cause(reason: nil, message: text, field: nil)]))
            }
            return .json(200, scale(of: object))
        case "PUT", "PATCH":
            let body = try parse(request)
            let expected = body.value(at: "metadata.resourceVersion")?.string
            let updated = try world.modify(resource, namespace: namespace, name: name, subresource: nil, expectedVersion: expected) {
                current throws(FaceError) -> JSON in
                var wanted = scale(of: current)
                if request.method == "PUT" {
                    wanted = body
                } else if request.contentType.hasPrefix("application/json-patch+json") {
                    do { wanted = try wanted.applying(jsonPatch: body) } catch { throw FaceError(code: 422, reason: "Invalid", message: "\(error)") }
                } else {
                    wanted = wanted.merging(body)
                }
                guard let replicas = wanted.value(at: "spec.replicas")?.int, replicas >= 0 else {
                    throw FaceError(
                        code: 422, reason: "Invalid",
                        message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: must be greater than or equal to 0")
                }
                var changed = current
                changed.set(.int(replicas), at: paths.specReplicas)
                return changed
            }
            return .json(200, scale(of: updated))
        default:
            throw FaceError(code: 405, reason: "MethodNotAllowed", message: "\(request.method) is not allowed on scale")
        }
    }

    func parse(_ request: FaceRequest) throws(FaceError) -> JSON {
        if request.contentType.contains("protobuf") {
            throw FaceError(
                code: 415, reason: "UnsupportedMediaType",
                message: "the simulated API server reads JSON and YAML only, not protobuf (use kubectl apply -f)")
        }
        if request.contentType.contains("yaml") { return try parseYAML(request.body) }
        do {
            return try JSON.parse(request.body)
        } catch {
            throw FaceError(code: 400, reason: "BadRequest", message: "the body is not JSON: \(error)")
        }
    }

    func parseYAML(_ body: [UInt8]) throws(FaceError) -> JSON {
        do {
            guard let loaded = try Yams.load(yaml: String(decoding: body, as: UTF8.self)) else {
                throw FaceError(code: 400, reason: "BadRequest", message: "the body is empty")
            }
            return JSON.from(yamlValue: loaded)
        } catch let error as FaceError {
            throw error
        } catch {
            throw FaceError(code: 400, reason: "BadRequest", message: "the body is not YAML: \(error)")
        }
    }

    /// The 415 for a patch type the server does not take: custom resources list the types they
    /// do take; built-in kinds answer tersely.
    static func unsupportedPatch(custom: Bool) -> FaceError {
        if custom {
            return FaceError(
                code: 415, reason: "UnsupportedMediaType",
                message:
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
            )
        }
        return FaceError(code: 415, reason: "UnsupportedMediaType", message: "415: Unsupported Media Type", details: FaceError.Details())
    }

    /// Strategic merge patch directives (`$patch`, `$setElementOrder/...`, `$retainKeys`)
    /// removed, leaving a merge patch.
    static func strippingDirectives(_ patch: JSON) -> JSON {
        switch patch {
        case .object(let fields):
            return .object(fields.filter { !$0.key.hasPrefix("$") }.mapValues(strippingDirectives))
        case .array(let items):
            return .array(items.map(strippingDirectives))
        default:
            return patch
        }
    }
}
