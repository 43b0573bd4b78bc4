/// The checks a kube-apiserver makes of a CustomResourceDefinition's `openAPIV3Schema` before
/// it stores it (apiextensions' structural-schema rules), with the server's field paths,
/// reasons and messages, so that a CRD the real server refuses is refused here too:
///
/// - every node has a `type`, except under `x-kubernetes-int-or-string` or
///   `x-kubernetes-preserve-unknown-fields`; `type` is one of the six OpenAPI types;
/// - inside `anyOf`/`allOf`/`oneOf`/`not` only value checks: no `type`, `description`,
///   `default`, `nullable`, `additionalProperties` or `x-kubernetes-*` (the one exception is
///   the int-or-string form, `anyOf` exactly `[{type: integer}, {type: string}]`);
///   a field named inside a junctor is also specified outside it;
/// - the root is an object, and its `metadata` is at most `type: object` with restrictions of
///   `name` and `generateName`;
/// - arrays have `items`; `properties` and `additionalProperties` exclude each other;
///   `x-kubernetes-list-map-keys` only on `x-kubernetes-list-type: map`, naming scalar item fields;
/// - a `default` validates against its own schema.
struct CRDStructuralCheck {
    private(set) var causes: [FaceError.Cause] = []

    static let types: Set<String> = ["object", "array", "string", "integer", "number", "boolean"]
    static let junctors = ["allOf", "anyOf", "oneOf", "not"]

    /// The causes for the CRD `crd`, sorted by field as the server sorts them.
    static func causes(in crd: JSON) -> [FaceError.Cause] {
        var check = CRDStructuralCheck()
        let versions = crd.value(at: "spec.versions")?.arrayValue ?? []
        if versions.isEmpty {
            check.add("FieldValueRequired", "Required value: must have exactly one version marked as storage version", "spec.versions")
        }
        if versions.filter({ $0["storage"] == .bool(true) }).count != 1, !versions.isEmpty {
            check.add(
                "FieldValueInvalid",
                "Invalid value: \(versions.filter { $0["storage"] == .bool(true) }.count): must have exactly one version marked as storage version",
                "spec.versions")
        }
        // A 1.23 server turns a CRD whose versions share one schema into its internal form,
        // with the schema at spec.validation, before it validates; so do the paths it reports.
        let schemas = versions.compactMap { $0.value(at: "schema.openAPIV3Schema") }
        for (index, version) in versions.enumerated() {
            guard let schema = version.value(at: "schema.openAPIV3Schema") else {
                check.add("FieldValueRequired", "Required value: schemas are required", "spec.versions[\(index)].schema.openAPIV3Schema")
                continue
            }
            let base =
                versions.count == 1 || Set(schemas.map(\.bytes)).count == 1
                ? "spec.validation.openAPIV3Schema" : "spec.versions[\(index)].schema.openAPIV3Schema"
            if base == "spec.validation.openAPIV3Schema", index > 0 { continue }
            check.root(schema, at: base)
        }
        return check.causes.sorted { ($0.field ?? "") < ($1.field ?? "") }
    }

    mutating func add(_ reason: String, _ message: String, _ field: String) {
        causes.append(FaceError.Cause(reason: reason, message: message, field: field))
    }

    mutating func root(_ schema: JSON, at path: String) {
        if schema["type"]?.string != "object" {
            add("FieldValueInvalid", "Invalid value: \"\(schema["type"]?.string ?? "")\": must be object at the root", "\(path).type")
        }
        if let metadata = schema["properties"]?["metadata"] {
            var rest = metadata.objectValue ?? [:]
            if rest["type"]?.string == "object" { rest["type"] = nil }
            var properties = rest["properties"]?.objectValue ?? [:]
            properties["name"] = nil
            properties["generateName"] = nil
            rest["properties"] = properties.isEmpty ? nil : .object(properties)
            if !rest.isEmpty {
                add(
                    "FieldValueForbidden",
                    "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
                    "\(path).properties[metadata]")
            }
        }
        node(schema, at: path, inJunctor: false, typeRequired: true)
    }

    /// Whether `schema` is the int-or-string form the server allows inside `anyOf`.
    static func isIntOrStringJunctor(_ anyOf: JSON?) -> Bool {
        anyOf == .array([.object(["type": .string("integer")]), .object(["type": .string("string")])])
    }

    mutating func node(_ schema: JSON, at path: String, inJunctor: Bool, typeRequired: Bool) {
        guard let fields = schema.objectValue else {
            add("FieldValueInvalid", "Invalid value: must be a schema object", path)
            return
        }
        let intOrString = fields["x-kubernetes-int-or-string"] == .bool(true)
        let preserve = fields["x-kubernetes-preserve-unknown-fields"] == .bool(true)
        let type = fields["type"]?.string
        if inJunctor {
            for key in ["type", "description", "default", "nullable", "additionalProperties", "title"] where fields[key] != nil {
                add("FieldValueForbidden", "Forbidden: must be empty to be structural", "\(path).\(key)")
            }
            for key in fields.keys.sorted() where key.hasPrefix("x-kubernetes-") {
                add("FieldValueForbidden", "Forbidden: must be false to be structural", "\(path).\(key)")
            }
        } else {
            if let type {
                if !Self.types.contains(type) {
                    add(
                        "FieldValueNotSupported",
                        "Unsupported value: \"\(type)\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"",
                        "\(path).type")
                }
                if intOrString { add("FieldValueForbidden", "Forbidden: must be empty for x-kubernetes-int-or-string", "\(path).type") }
            } else if typeRequired, !intOrString, !preserve {
                add("FieldValueRequired", "Required value: must not be empty for specified object fields", "\(path).type")
            }
            if type == "array", fields["items"] == nil, !preserve {
                add("FieldValueRequired", "Required value: must be specified", "\(path).items")
            }
            if fields["properties"] != nil, fields["additionalProperties"] != nil {
                add("FieldValueForbidden", "Forbidden: additionalProperties and properties are mutual exclusive", "\(path).additionalProperties")
            }
            if let listType = fields["x-kubernetes-list-type"]?.string {
                if !["atomic", "set", "map"].contains(listType) {
                    add(
                        "FieldValueNotSupported", "Unsupported value: \"\(listType)\": supported values: \"atomic\", \"set\", \"map\"",
                        "\(path).x-kubernetes-list-type")
                }
                if type != "array" {
                    add("FieldValueInvalid", "Invalid value: \"\(listType)\": must only be used on type array", "\(path).x-kubernetes-list-type")
                }
            }
            if let keys = fields["x-kubernetes-list-map-keys"]?.arrayValue {
                if fields["x-kubernetes-list-type"]?.string != "map" {
                    add("FieldValueForbidden", "Forbidden: must only be used with x-kubernetes-list-type map", "\(path).x-kubernetes-list-map-keys")
                }
                let itemProperties = fields["items"]?["properties"]?.objectValue ?? [:]
                for key in keys.compactMap(\.string) {
                    let keyType = itemProperties[key]?["type"]?.string
                    if keyType == nil || keyType == "object" || keyType == "array" {
                        add(
                            "FieldValueInvalid", "Invalid value: \"\(key)\": must be a scalar property of the items",
                            "\(path).x-kubernetes-list-map-keys")
                    }
                }
            } else if fields["x-kubernetes-list-type"]?.string == "map" {
                add("FieldValueRequired", "Required value: must not be empty if x-kubernetes-list-type is map", "\(path).x-kubernetes-list-map-keys")
            }
            if let value = fields["default"] {
                for problem in CustomResourceSchema.problems(of: value, against: schema, at: "\(path).default") {
                    add("FieldValueInvalid", problem.message, problem.field ?? "\(path).default")
                }
            }
        }
        // Children.
        for (name, child) in (fields["properties"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            node(child, at: "\(path).properties[\(name)]", inJunctor: inJunctor, typeRequired: !inJunctor)
        }
        if let items = fields["items"] {
            if case .array = items {
                add("FieldValueForbidden", "Forbidden: items must be a schema object and not an array", "\(path).items")
            } else {
                node(items, at: "\(path).items", inJunctor: inJunctor, typeRequired: !inJunctor)
            }
        }
        if case .object = fields["additionalProperties"] ?? .null {
            node(fields["additionalProperties"]!, at: "\(path).additionalProperties", inJunctor: inJunctor, typeRequired: !inJunctor)
        }
        let intOrStringForm =
            intOrString
            && (Self.isIntOrStringJunctor(fields["anyOf"])
                || (fields["allOf"]?.arrayValue?.first.map { Self.isIntOrStringJunctor($0["anyOf"]) } ?? false))
        for junctor in Self.junctors {
            guard let value = fields[junctor] else { continue }
            if junctor == "anyOf", intOrStringForm, Self.isIntOrStringJunctor(value) { continue }
            let branches: [(String, JSON)] =
                junctor == "not"
                ? [("\(path).not", value)] : (value.arrayValue ?? []).enumerated().map { ("\(path).\(junctor)[\($0.offset)]", $0.element) }
            for (branchPath, branch) in branches {
                if junctor == "allOf", intOrStringForm, Self.isIntOrStringJunctor(branch["anyOf"]), branch.objectValue?.count == 1 { continue }
                node(branch, at: branchPath, inJunctor: true, typeRequired: false)
                // A field a junctor names must be specified outside it too.
                for name in (branch["properties"]?.objectValue ?? [:]).keys.sorted() where fields["properties"]?[name] == nil {
                    add(
                        "FieldValueRequired", "Required value: must be specified outside of logical junctors as well",
                        "\(branchPath).properties[\(name)]")
                }
                if branch["items"] != nil, fields["items"] == nil {
                    add("FieldValueRequired", "Required value: must be specified outside of logical junctors as well", "\(branchPath).items")
                }
            }
        }
    }
}
