/// The schema as a CRD's `openAPIV3Schema`: structural, with descriptions on every field.
extension Schema {
    public var openAPI: YAMLTree {
        var out: [(String, YAMLTree)] = []
        switch kind {
        case .object(let properties):
            out.append(("description", .string(description)))
            out.append(("type", .string("object")))
            if !required.isEmpty { out.append(("required", .list(required.map { .string($0) }))) }
            out.append(("properties", .map(properties.map { ($0.name, $0.schema.openAPI) })))
        case .array(let items):
            out.append(("description", .string(description)))
            out.append(("type", .string("array")))
            out.append(("items", items.openAPI))
            if let minItems { out.append(("minItems", .integer(Int64(minItems)))) }
            if let maxItems { out.append(("maxItems", .integer(Int64(maxItems)))) }
            if let listType { out.append(("x-kubernetes-list-type", .string(listType.rawValue))) }
            if let listMapKeys { out.append(("x-kubernetes-list-map-keys", .list(listMapKeys.map { .string($0) }))) }
        case .string:
            out.append(("description", .string(description)))
            out.append(("type", .string("string")))
            if let enumValues { out.append(("enum", .list(enumValues.map { .string($0) }))) }
            if let pattern { out.append(("pattern", .string(pattern))) }
            if let minLength { out.append(("minLength", .integer(Int64(minLength)))) }
            if let maxLength { out.append(("maxLength", .integer(Int64(maxLength)))) }
        case .integer:
            out.append(("description", .string(description)))
            out.append(("type", .string("integer")))
            // Bounded fields are Int32 in Swift; unbounded ones (generations) are Int64.
            out.append(("format", .string(maximum.map { $0 <= Int64(Int32.max) } ?? false ? "int32" : "int64")))
            if let minimum { out.append(("minimum", .integer(minimum))) }
            if let maximum { out.append(("maximum", .integer(maximum))) }
        case .boolean:
            out.append(("description", .string(description)))
            out.append(("type", .string("boolean")))
        case .quantity(let allowZero):
            // The API server's int-or-string form: anyOf exactly integer/string (nothing else may
            // sit in the branches of a structural schema), value checks beside it. `minimum`
            // applies to integers only and `pattern` to strings only.
            out.append(("description", .string(description)))
            out.append(("x-kubernetes-int-or-string", .boolean(true)))
            out.append(("anyOf", .list([.map([("type", .string("integer"))]), .map([("type", .string("string"))])])))
            out.append(("minimum", .integer(allowZero ? 0 : 1)))
            out.append(("pattern", .string(Schema.quantityPattern)))
        case .stringMap:
            out.append(("description", .string(description)))
            out.append(("type", .string("object")))
            out.append(("additionalProperties", .map([("type", .string("string"))])))
        case .embeddedObject:
            // The root `metadata`: the API server forbids anything but `type: object` here
            // (a description included); it validates metadata itself.
            out.append(("type", .string("object")))
        case .number:
            out.append(("description", .string(description)))
            out.append(("type", .string("number")))
            if let minimum { out.append(("minimum", .integer(minimum))) }
        case .dateTime:
            out.append(("description", .string(description)))
            out.append(("type", .string("string")))
            out.append(("format", .string("date-time")))
        }
        switch defaultValue {
        case .integer(let value)?: out.append(("default", .integer(value)))
        case .boolean(let value)?: out.append(("default", .boolean(value)))
        case .string(let value)?: out.append(("default", .string(value)))
        case nil: break
        }
        if !rules.isEmpty {
            out.append(
                (
                    "x-kubernetes-validations",
                    .list(
                        rules.map {
                            .map([("rule", .string($0.cel)), ("message", .string($0.message))])
                        })
                ))
        }
        return .map(out)
    }
}
