import KubernetesTypes

/// What the API server does to an object between decoding it and storing it: CRDs checked for
/// structural schemas; custom resources pruned, defaulted and validated against their CRD's
/// schema and rules; built-in kinds that Ebb writes (Events) validated as the server does.
extension KubernetesWorld {
    /// How a write was asked for: `?dryRun=All`, `?fieldValidation=`, `?fieldManager=`, `?force=`.
    public struct WriteOptions: Sendable {
        public var dryRun = false
        public var fieldValidation = ""
        public var fieldManager: String?
        public var force = false
        /// The change closure wrote metadata.managedFields itself (server-side apply).
        var ownershipFromChange = false

        public init(dryRun: Bool = false, fieldValidation: String = "", fieldManager: String? = nil, force: Bool = false) {
            self.dryRun = dryRun
            self.fieldValidation = fieldValidation
            self.fieldManager = fieldManager
            self.force = force
        }
    }

    /// The fields of ObjectMeta: anything else under `metadata` is dropped when it is decoded.
    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "clusterName", "managedFields"
    ]

    /// The schema a custom resource kind is checked against, if a CRD defines one.
    func schema(of resource: FaceResource) -> JSON? {
        state.withLockedValue { $0.schemas[resource.key] }
    }

    /// `object` as the server would store it, and the paths of the unknown fields it dropped.
    func admit(_ resource: FaceResource, _ object: JSON) throws(FaceError) -> (object: JSON, unknown: [String]) {
        if resource == .customResourceDefinitions {
            try checkCRD(object)
            return (object, [])
        }
        if resource.group == "events.k8s.io" { try checkEvent(object) }
        var object = object
        var unknown: [String] = []
        if let metadata = object["metadata"]?.objectValue {
            var kept: [String: JSON] = [:]
            for (key, value) in metadata {
                if Self.objectMetaFields.contains(key) { kept[key] = value } else { unknown.append("metadata.\(key)") }
            }
            object["metadata"] = .object(kept)
        }
        guard let schema = schema(of: resource) else { return (object, unknown) }
        // Custom resources: prune what the schema does not know, fill in defaults, validate.
        var pruned: [String] = []
        var result: [String: JSON] = [:]
        let properties = schema["properties"]?.objectValue ?? [:]
        for (key, value) in object.objectValue ?? [:] {
            if ["apiVersion", "kind", "metadata"].contains(key) {
                result[key] = value
            } else if let child = properties[key] {
                result[key] = CustomResourceSchema.defaulted(CustomResourceSchema.prune(value, child, path: key, pruned: &pruned), child)
            } else {
                pruned.append(key)
            }
        }
        unknown += pruned
        let admitted = JSON.object(result)
        var causes: [FaceError.Cause] = []
        for name in schema["required"]?.arrayValue?.compactMap(\.string) ?? [] where result[name] == nil {
            causes.append(FaceError.Cause(reason: "FieldValueRequired", message: "Required value", field: name))
        }
        for (key, value) in result.sorted(by: { $0.key < $1.key }) where !["apiVersion", "kind", "metadata"].contains(key) {
            if let child = properties[key] { causes += CustomResourceSchema.problems(of: value, against: child, at: key) }
        }
        for (key, value) in result.sorted(by: { $0.key < $1.key }) where !["apiVersion", "kind", "metadata"].contains(key) {
            if let child = properties[key] { causes += CustomResourceSchema.ruleProblems(of: value, against: child, at: key) }
        }
        if !causes.isEmpty {
            let name = admitted.value(at: "metadata.name")?.string ?? ""
            throw .invalid(
                qualifiedKind: resource.qualifiedKind, name: name, details: FaceError.Details(name: name, group: resource.group, kind: resource.kind),
                causes: causes)
        }
        return (admitted, unknown)
    }

    /// A CRD the real server would refuse is refused: structural-schema rules, and rules the
    /// face could not evaluate (so that none is skipped).
    func checkCRD(_ crd: JSON) throws(FaceError) {
        var causes = CRDStructuralCheck.causes(in: crd)
        for (index, version) in (crd.value(at: "spec.versions")?.arrayValue ?? []).enumerated() {
            guard let schema = version.value(at: "schema.openAPIV3Schema") else { continue }
            for (path, rule) in FaceCELRules.unknownRules(in: schema, at: "spec.versions[\(index)].schema.openAPIV3Schema") {
                causes.append(
                    FaceError.Cause(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \(CustomResourceSchema.goQuote(rule)): the simulated API server cannot evaluate this CEL rule",
                        field: path))
            }
        }
        guard !causes.isEmpty else { return }
        let name = crd.value(at: "metadata.name")?.string ?? ""
        throw .invalid(
            qualifiedKind: "CustomResourceDefinition.apiextensions.k8s.io", name: name,
            details: FaceError.Details(name: name, group: "apiextensions.k8s.io", kind: "CustomResourceDefinition"), causes: causes)
    }

    /// events.k8s.io/v1 Events as a 1.23 server validates them: eventTime and type first; the
    /// reporting fields and action only once eventTime is set.
    func checkEvent(_ event: JSON) throws(FaceError) {
        var causes: [FaceError.Cause] = []
        let eventTime = event["eventTime"]?.string ?? ""
        if eventTime.isEmpty { causes.append(FaceError.Cause(reason: "FieldValueRequired", message: "Required value", field: "eventTime")) }
        let type = event["type"]?.string ?? ""
        if type != "Normal", type != "Warning" {
            causes.append(
                FaceError.Cause(
                    reason: "FieldValueInvalid", message: "Invalid value: \(CustomResourceSchema.goQuote(type)): has invalid value: \(type)",
                    field: "type"))
        }
        if !eventTime.isEmpty {
            let controller = event["reportingController"]?.string ?? ""
            if controller.isEmpty {
                causes.append(FaceError.Cause(reason: "FieldValueRequired", message: "Required value", field: "reportingController"))
                causes.append(
                    FaceError.Cause(
                        reason: "FieldValueInvalid", message: "Invalid value: \"\": name part must be non-empty", field: "reportingController"))
                causes.append(
                    FaceError.Cause(
                        reason: "FieldValueInvalid",
                        message:
                            "Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                        field: "reportingController"))
            }
            if (event["reportingInstance"]?.string ?? "").isEmpty {
                causes.append(FaceError.Cause(reason: "FieldValueRequired", message: "Required value", field: "reportingInstance"))
            }
            if (event["action"]?.string ?? "").isEmpty {
                causes.append(FaceError.Cause(reason: "FieldValueRequired", message: "Required value", field: "action"))
            }
        }
        guard !causes.isEmpty else { return }
        let name = event.value(at: "metadata.name")?.string ?? ""
        throw .invalid(qualifiedKind: "Event", name: name, details: FaceError.Details(name: name, kind: "Event"), causes: causes)
    }

    /// `?fieldValidation=` is checked on every write; a server from 1.25 on also acts on it.
    func checkFieldValidation(_ value: String, options kind: String) throws(FaceError) {
        guard !["", "Ignore", "Strict", "Warn"].contains(value) else { return }
        throw FaceError(
            code: 422, reason: "Invalid",
            message:
                "\(kind).meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \(CustomResourceSchema.goQuote(value)): supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
            details: FaceError.Details(
                group: "meta.k8s.io", kind: kind,
                causes: [
                    FaceError.Cause(
                        reason: "FieldValueNotSupported",
                        message:
                            "Unsupported value: \(CustomResourceSchema.goQuote(value)): supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
                        field: "fieldValidation")
                ]))
    }

    /// What `fieldValidation` does with unknown fields on a server that honours it (1.25+):
    /// Strict refuses the write, Warn answers with warnings; 1.23 ignores the parameter.
    func unknownFieldWarnings(_ unknown: [String], _ options: WriteOptions) throws(FaceError) -> [String] {
        guard honoursFieldValidation, !unknown.isEmpty else { return [] }
        let texts = unknown.sorted().map { "unknown field \"\($0)\"" }
        switch options.fieldValidation {
        case "Strict":
            throw FaceError(code: 400, reason: "BadRequest", message: "strict decoding error: \(texts.joined(separator: ", "))")
        case "Warn", "":
            // Warn is what such a server does when the parameter is not given.
            return texts
        default:
            return []
        }
    }
}
