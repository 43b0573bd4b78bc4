import BrokerScaling
import Foundation
import KubernetesTypes
import NIOConcurrencyHelpers

/// The Kubernetes side of the simulated world: objects of any kind stored as JSON, with the API
/// server's semantics: one monotonically increasing resourceVersion, 409 Conflict on a stale
/// update, generation bumped by spec changes only, status and scale subresources, CRDs that
/// register their resources, and a bounded event history for watches (410 Gone before it).
public final class KubernetesWorld: Sendable {
    struct Watcher: Sendable {
        var resource: String
        var namespace: String?
        var selector: FaceLabelSelector
        var send: @Sendable (String, JSON) -> Void
        var close: @Sendable () -> Void
    }

    struct Change: Sendable {
        var revision: Int64
        var resource: String
        var type: String
        var object: JSON
    }

    struct State: Sendable {
        var resources: [String: FaceResource] = [:]
        var objects: [String: [String: JSON]] = [:]
        var revision: Int64 = 1
        var history: [Change] = []
        /// Watches from before this revision get 410 Gone.
        var compactedThrough: Int64 = 0
        var watchers: [Int: Watcher] = [:]
        var nextWatcher = 0
        var uids = 0
        /// Every request is answered 503, as an API server that is down or overloaded.
        var unavailable = false
        /// Whether the history was cut by `compact()` (etcd) rather than by the watch cache's size.
        var compactedInStorage = false
        /// The openAPIV3Schema of each custom resource kind, from its CRD.
        var schemas: [String: JSON] = [:]
    }

    let state = NIOLockedValueBox(State())
    /// How many changes a watch can resume across.
    public let historyLimit: Int
    let faultBox = NIOLockedValueBox<FaultInjector?>(nil)
    /// RBAC for users outside system:masters, and the grants their requests used.
    let authorizer = FaceAuthorizer()
    /// How long a change takes to reach open watches (nil: at once), as a real server's watch
    /// cache delays it, so that a client's cache can be behind its own writes.
    public let watchDelay: ClosedRange<Double>?
    let silence = NIOLockedValueBox(false)
    /// Every request the face answered, for tests that check what a client did.
    public let requestLog = FaceRequestLog()
    /// Wall-clock or simulated seconds since 1970, for timestamps.
    let clock: @Sendable () -> Double

    /// Whether `?fieldValidation=Strict|Warn` acts, as on servers from 1.25 on; a 1.23 server
    /// (the one recorded in shared/kube-apiserver-1.23) checks the value and ignores it.
    public let honoursFieldValidation: Bool

    public init(
        historyLimit: Int = 1_000, honoursFieldValidation: Bool = true, watchDelay: ClosedRange<Double>? = nil,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.historyLimit = historyLimit
        self.watchDelay = watchDelay
        self.honoursFieldValidation = honoursFieldValidation
        self.clock = clock
        state.withLockedValue { state in
            for resource in FaceResource.builtIn { state.resources[resource.key] = resource }
            for namespace in ["default", "kube-system"] {
                state.objects["/v1/namespaces", default: [:]][namespace] = .object([
                    "apiVersion": .string("v1"), "kind": .string("Namespace"),
                    "metadata": .object([
                        "name": .string(namespace), "uid": .string("ns-\(namespace)"), "resourceVersion": .string("1"),
                        "creationTimestamp": .string(TimeFormat.format(Date(timeIntervalSince1970: 0)))
                    ]),
                    "status": .object(["phase": .string("Active")])
                ])
            }
        }
    }

    public var resources: [FaceResource] { state.withLockedValue { Array($0.resources.values) } }

    func resource(group: String, version: String, plural: String) -> FaceResource? {
        state.withLockedValue { $0.resources["\(group)/\(version)/\(plural)"] }
    }

    /// Runs `body` under the lock, with typed errors.
    func locked<T>(_ body: (inout State) throws(FaceError) -> T) throws(FaceError) -> T {
        let result: Result<T, FaceError> = state.withLockedValue { state in Result { () throws(FaceError) -> T in try body(&state) } }
        return try result.get()
    }

    /// The world's clock now.
    public var now: Double { clock() }

    public var revision: Int64 { state.withLockedValue { $0.revision } }

    static func storeKey(_ namespace: String?, _ name: String) -> String { namespace.map { "\($0)/\(name)" } ?? name }

    /// Now, in whole seconds as metav1.Time is written.
    var timestamp: String { TimeFormat.format(Date(timeIntervalSince1970: clock().rounded(.down))) }

    // MARK: Reads

    public func get(_ resource: FaceResource, namespace: String?, name: String) throws(FaceError) -> JSON {
        guard let object = state.withLockedValue({ $0.objects[resource.key]?[Self.storeKey(resource.namespaced ? namespace : nil, name)] }) else {
            throw .notFound(resource, name)
        }
        return object
    }

    public func exists(_ resource: FaceResource, namespace: String?, name: String) -> Bool {
        state.withLockedValue { $0.objects[resource.key]?[Self.storeKey(resource.namespaced ? namespace : nil, name)] != nil }
    }

    /// Whether `version` is older than what the store can still answer at (compacted away).
    func isCompacted(_ version: Int64) -> Bool { state.withLockedValue { version < $0.compactedThrough } }

    /// Objects in `namespace` (all when nil) matching `selector`, a page of `limit` after `continue`.
    func list(_ resource: FaceResource, namespace: String?, selector: FaceLabelSelector, limit: Int?, after: String?) -> (
        items: [JSON], revision: Int64, next: String?, remaining: Int
    ) {
        state.withLockedValue { state in
            let all = (state.objects[resource.key] ?? [:]).sorted { $0.key < $1.key }.filter { key, object in
                (namespace == nil || !resource.namespaced || key.hasPrefix("\(namespace!)/")) && selector.matches(Self.labels(object))
            }
            let start = after.flatMap { token in all.firstIndex { $0.key > token } } ?? (after == nil ? 0 : all.count)
            let end = limit.map { min(all.count, start + max(1, $0)) } ?? all.count
            let page = all[start..<end]
            return (page.map(\.value), state.revision, end < all.count ? page.last?.key : nil, all.count - end)
        }
    }

    /// Every object of `resource` in `namespace` (all when nil), as tests and tools read them.
    public func objects(_ resource: FaceResource, namespace: String? = nil) -> [JSON] {
        list(resource, namespace: namespace, selector: FaceLabelSelector(), limit: nil, after: nil).items
    }

    /// Every object of `resource` as a list document.
    public func listJSON(_ resource: FaceResource, namespace: String? = nil) -> [UInt8] {
        JSON.object(["items": .array(list(resource, namespace: namespace, selector: FaceLabelSelector(), limit: nil, after: nil).items)]).bytes
    }

    static func labels(_ object: JSON) -> [String: String] {
        (object["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.string)
    }

    // MARK: Writes

    /// Records a change: the object gets the next resourceVersion, watchers hear of it.
    func commit(_ state: inout State, _ resource: FaceResource, _ type: String, _ object: JSON) -> JSON {
        state.revision += 1
        var stored = object
        stored.set(.string(String(state.revision)), at: "metadata.resourceVersion")
        let key = Self.storeKey(
            resource.namespaced ? stored.value(at: "metadata.namespace")?.string : nil, stored.value(at: "metadata.name")?.string ?? "")
        if type == "DELETED" {
            state.objects[resource.key]?[key] = nil
        } else {
            state.objects[resource.key, default: [:]][key] = stored
        }
        state.history.append(Change(revision: state.revision, resource: resource.key, type: type, object: stored))
        if state.history.count > historyLimit {
            let dropped = state.history.count - historyLimit
            state.compactedThrough = state.history[dropped - 1].revision
            state.compactedInStorage = false
            state.history.removeFirst(dropped)
        }
        for watcher in state.watchers.values where watcher.resource == resource.key {
            let namespace = stored.value(at: "metadata.namespace")?.string
            guard watcher.namespace == nil || watcher.namespace == namespace, watcher.selector.matches(Self.labels(stored)) else { continue }
            watcher.send(type, stored)
        }
        if resource == .customResourceDefinitions, type != "DELETED" {
            for defined in FaceResource.from(crd: stored) { state.resources[defined.key] = defined }
            for version in stored.value(at: "spec.versions")?.arrayValue ?? [] {
                guard let name = version["name"]?.string, let group = stored.value(at: "spec.group")?.string,
                    let plural = stored.value(at: "spec.names.plural")?.string
                else { continue }
                state.schemas["\(group)/\(name)/\(plural)"] = version.value(at: "schema.openAPIV3Schema")
            }
        }
        return stored
    }

    public func create(_ resource: FaceResource, namespace: String?, _ body: JSON) throws(FaceError) -> JSON {
        try create(resource, namespace: namespace, body, options: WriteOptions()).object
    }

    /// A create as the server does it: admitted (pruned, defaulted, validated), stored unless
    /// `options.dryRun`, with the warnings the server would send.
    public func create(_ resource: FaceResource, namespace: String?, _ body: JSON, options: WriteOptions) throws(FaceError) -> (
        object: JSON, warnings: [String]
    ) {
        try checkFieldValidation(options.fieldValidation, options: "CreateOptions")
        guard case .object = body else { throw FaceError(code: 400, reason: "BadRequest", message: "the body is not a JSON object") }
        var object = body
        if object.value(at: "metadata.name")?.string == nil, let prefix = object.value(at: "metadata.generateName")?.string {
            object.set(.string(prefix + String(UInt32.random(in: 0...UInt32.max), radix: 36)), at: "metadata.name")
        }
        guard let name = object.value(at: "metadata.name")?.string, !name.isEmpty else {
            throw FaceError(
                code: 422, reason: "Invalid",
                message: "\(resource.kind).\(resource.group) is invalid: metadata.name: Required value: name or generateName is required")
        }
        if resource.namespaced {
            let given = object.value(at: "metadata.namespace")?.string
            guard given == nil || given == namespace else {
                throw FaceError(
                    code: 400, reason: "BadRequest",
                    message: "the namespace of the object (\(given!)) does not match the namespace on the request (\(namespace ?? ""))")
            }
            object.set(.string(namespace ?? "default"), at: "metadata.namespace")
        }
        // The URL names the kind; a body without apiVersion and kind gets them from there.
        if object["apiVersion"] == nil { object.set(.string(resource.apiVersion), at: "apiVersion") }
        if object["kind"] == nil { object.set(.string(resource.kind), at: "kind") }
        // The main resource of a kind with a status subresource ignores a status sent with it.
        if resource.hasStatus, schema(of: resource) != nil { object["status"] = nil }
        let admitted = try admit(resource, object)
        object = admitted.object
        let warnings = try unknownFieldWarnings(admitted.unknown, options)
        return try locked { state throws(FaceError) -> (object: JSON, warnings: [String]) in
            let key = Self.storeKey(resource.namespaced ? namespace ?? "default" : nil, name)
            if state.objects[resource.key]?[key] != nil {
                throw .alreadyExists(resource, name)
            }
            if resource.namespaced, state.objects["/v1/namespaces"]?[namespace ?? "default"] == nil {
                throw FaceError(code: 404, reason: "NotFound", message: "namespaces \"\(namespace ?? "default")\" not found")
            }
            state.uids += 1
            object.set(.string(String(format: "00000000-0000-4000-8000-%012d", state.uids)), at: "metadata.uid")
            object.set(.string(timestamp), at: "metadata.creationTimestamp")
            if BuiltInDefaults.hasGeneration(resource, customResource: state.schemas[resource.key] != nil) {
                object.set(.int(1), at: "metadata.generation")
            }
            object.set(.string(resource.apiVersion), at: "apiVersion")
            object.set(.string(resource.kind), at: "kind")
            if resource == .customResourceDefinitions {
                // The answer is written before the naming and establishing controllers run.
                if object.value(at: "spec.conversion") == nil { object.set(.object(["strategy": .string("None")]), at: "spec.conversion") }
                object.set(
                    .object([
                        "conditions": .null, "acceptedNames": .object(["plural": .string(""), "kind": .string("")]),
                        "storedVersions": .array(
                            (object.value(at: "spec.versions")?.arrayValue ?? []).filter { $0["storage"] == .bool(true) }.compactMap { $0["name"] })
                    ]),
                    at: "status")
            }
            if resource.plural == "namespaces" {
                object.set(.object(["phase": .string("Active")]), at: "status")
                if object.value(at: "spec.finalizers") == nil { object.set(.array([.string("kubernetes")]), at: "spec.finalizers") }
                var labels = object.value(at: "metadata.labels")?.objectValue ?? [:]
                labels["kubernetes.io/metadata.name"] = .string(name)
                object.set(.object(labels), at: "metadata.labels")
            }
            object = BuiltInDefaults.applied(resource, object)
            if let manager = options.fieldManager {
                let entries = ManagedFields.updated(
                    [], before: nil, after: object, schema: state.schemas[resource.key], manager: manager, subresource: nil,
                    apiVersion: resource.apiVersion, time: timestamp)
                object.set(ManagedFields.encode(entries), at: "metadata.managedFields")
            }
            if options.dryRun { return (object, warnings) }
            let created = commit(&state, resource, "ADDED", object)
            if resource == .customResourceDefinitions {
                // The API server's own controllers accept the names and establish the CRD.
                var established = Self.established(created)
                var entries = ManagedFields.entries(of: created)
                entries.append(
                    ManagedFields.Entry(
                        manager: "kube-apiserver", operation: "Update", apiVersion: resource.apiVersion, time: timestamp, subresource: "status",
                        fields: [["f:status", "f:acceptedNames"], ["f:status", "f:conditions"]], created: []))
                established.set(ManagedFields.encode(entries), at: "metadata.managedFields")
                _ = commit(&state, resource, "MODIFIED", established)
            }
            return (created, warnings)
        }
    }

    /// Replaces an object (or only its status with `subresource: "status"`). A resourceVersion
    /// in the body must be the current one.
    public func update(_ resource: FaceResource, namespace: String?, name: String, subresource: String?, _ body: JSON) throws(FaceError) -> JSON {
        try modify(
            resource, namespace: namespace, name: name, subresource: subresource, expectedVersion: body.value(at: "metadata.resourceVersion")?.string
        ) { _ in body }
    }

    /// Reads, changes with `change`, checks, and writes back, all under the lock: what a patch is.
    public func modify(
        _ resource: FaceResource, namespace: String?, name: String, subresource: String?, expectedVersion: String? = nil,
        _ change: (JSON) throws(FaceError) -> JSON
    ) throws(FaceError) -> JSON {
        try modify(
            resource, namespace: namespace, name: name, subresource: subresource, expectedVersion: expectedVersion, options: WriteOptions(), change
        ).object
    }

    /// A write to an existing object, admitted as a create is; nothing is stored with `options.dryRun`.
    public func modify(
        _ resource: FaceResource, namespace: String?, name: String, subresource: String?, expectedVersion: String? = nil, options: WriteOptions,
        _ change: (JSON) throws(FaceError) -> JSON
    ) throws(FaceError) -> (object: JSON, warnings: [String]) {
        try checkFieldValidation(options.fieldValidation, options: "UpdateOptions")
        let key = Self.storeKey(resource.namespaced ? namespace : nil, name)
        let checked: JSON = try locked { state throws(FaceError) -> JSON in
            guard let current = state.objects[resource.key]?[key] else { throw .notFound(resource, name) }
            if let expectedVersion, !expectedVersion.isEmpty, expectedVersion != current.value(at: "metadata.resourceVersion")?.string {
                throw .conflict(resource, name)
            }
            let changed = try change(current)
            var merged = try merge(resource, current: current, changed: changed, subresource: subresource)
            if options.ownershipFromChange { merged.set(changed.value(at: "metadata.managedFields"), at: "metadata.managedFields") }
            return merged
        }
        let admitted = try admit(resource, checked)
        let warnings = try unknownFieldWarnings(admitted.unknown, options)
        return try locked { state throws(FaceError) -> (object: JSON, warnings: [String]) in
            guard let current = state.objects[resource.key]?[key] else { throw .notFound(resource, name) }
            guard current.value(at: "metadata.resourceVersion") == checked.value(at: "metadata.resourceVersion") else {
                throw .conflict(resource, name)
            }
            var stored = admitted.object
            // Admission may fill in defaults that make a spec differ: generation follows.
            stored = Self.bumpingGeneration(current: current, result: stored)
            if let manager = options.fieldManager {
                let entries = ManagedFields.updated(
                    ManagedFields.entries(of: current), before: current, after: stored, schema: state.schemas[resource.key], manager: manager,
                    subresource: subresource, apiVersion: resource.apiVersion, time: timestamp)
                stored.set(ManagedFields.encode(entries), at: "metadata.managedFields")
            }
            if current == stored || options.dryRun { return (current == stored ? current : stored, warnings) }
            return (commit(&state, resource, "MODIFIED", stored), warnings)
        }
    }

    /// What a write may change: identity and server-set metadata stay; the status subresource
    /// changes status only, the main resource everything but status; spec changes bump
    /// metadata.generation.
    func merge(_ resource: FaceResource, current: JSON, changed: JSON, subresource: String?) throws(FaceError) -> JSON {
        guard case .object = changed else { throw FaceError(code: 400, reason: "BadRequest", message: "the body is not a JSON object") }
        var result: JSON
        if subresource == "status" {
            result = current
            result["status"] = changed["status"]
        } else {
            result = changed
            if resource.hasStatus { result["status"] = current["status"] }
            var metadata = changed["metadata"] ?? .object([:])
            for field in ["name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion", "managedFields"] {
                metadata[field] = current["metadata"]?[field]
            }
            result["metadata"] = metadata
            result["apiVersion"] = current["apiVersion"]
            result["kind"] = current["kind"]
        }
        if resource == .customResourceDefinitions { result = Self.established(result) }
        return result
    }

    /// `result` with metadata.generation one past `current`'s when anything but metadata and
    /// status changed, as the server counts spec changes.
    static func bumpingGeneration(current: JSON, result: JSON) -> JSON {
        var before = current
        var after = result
        before["metadata"] = nil
        before["status"] = nil
        after["metadata"] = nil
        after["status"] = nil
        guard before != after, current.value(at: "metadata.generation") != nil else { return result }
        var bumped = result
        bumped.set(.int((current.value(at: "metadata.generation")?.int ?? 1) + 1), at: "metadata.generation")
        return bumped
    }

    public func delete(_ resource: FaceResource, namespace: String?, name: String, dryRun: Bool = false) throws(FaceError) -> JSON {
        try locked { state throws(FaceError) -> JSON in
            if dryRun {
                guard let current = state.objects[resource.key]?[Self.storeKey(resource.namespaced ? namespace : nil, name)] else {
                    throw .notFound(resource, name)
                }
                return current
            }
            let key = Self.storeKey(resource.namespaced ? namespace : nil, name)
            guard let current = state.objects[resource.key]?[key] else { throw .notFound(resource, name) }
            return commit(&state, resource, "DELETED", current)
        }
    }

    /// A CRD as the API server reports it once it serves it.
    static func established(_ crd: JSON) -> JSON {
        var result = crd
        let condition: (String) -> JSON = { type in
            .object([
                "type": .string(type), "status": .string("True"), "reason": .string(type == "Established" ? "InitialNamesAccepted" : "NoConflicts"),
                "message": .string(type == "Established" ? "the initial names have been accepted" : "no conflicts found"),
                "lastTransitionTime": .string(TimeFormat.format(Date(timeIntervalSince1970: 0)))
            ])
        }
        result.set(.array([condition("NamesAccepted"), condition("Established")]), at: "status.conditions")
        result.set(crd.value(at: "spec.names") ?? .object([:]), at: "status.acceptedNames")
        result.set(
            .array((crd.value(at: "spec.versions")?.arrayValue ?? []).filter { $0["storage"] == .bool(true) }.compactMap { $0["name"] }),
            at: "status.storedVersions")
        return result
    }
}
