import BrokerScaling
import KubernetesTypes

/// What a kube-apiserver does with a custom resource and its CRD's `openAPIV3Schema`, on the
/// JSON it was sent: prune unknown fields, apply defaults, validate (the 1.23 OpenAPI validator's
/// paths and messages: no list indices, `in body should be ...`) and run the CEL rules
/// (`x-kubernetes-validations`, with indices, `Invalid value: <Go dump>: <message>`).
enum CustomResourceSchema {
    // MARK: Validation

    /// Every schema violation of `value`, as `FieldValueInvalid`/`NotSupported`/`Required` causes.
    static func problems(of value: JSON, against schema: JSON, at path: String) -> [FaceError.Cause] {
        var causes: [FaceError.Cause] = []
        validate(value, schema, path: path, into: &causes)
        return causes
    }

    static func invalid(_ value: JSON, _ path: String, _ text: String) -> FaceError.Cause {
        FaceError.Cause(reason: "FieldValueInvalid", message: "Invalid value: \(goValue(value)): \(path) in body \(text)", field: path)
    }

    static func typeName(_ value: JSON) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    static func matches(_ value: JSON, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int), ("number", .int),
            ("number", .double):
            return true
        case ("integer", .double(let number)):
            return number == number.rounded()
        default:
            return false
        }
    }

    static func validate(_ value: JSON, _ schema: JSON, path: String, into causes: inout [FaceError.Cause]) {
        let intOrString = schema["x-kubernetes-int-or-string"] == .bool(true)
        if value == .null, schema["nullable"] != .bool(true) {
            causes.append(
                FaceError.Cause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \"null\": \(path) in body must be of type \(schema["type"]?.string ?? "string"): \"null\"", field: path))
            return
        }
        if intOrString {
            switch value {
            case .int, .string: break
            default:
                causes.append(
                    FaceError.Cause(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \"\(typeName(value))\": \(path) in body must be of type integer,string: \"\(typeName(value))\"",
                        field: path))
                return
            }
        } else if let type = schema["type"]?.string, !matches(value, type: type) {
            causes.append(
                FaceError.Cause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \"\(typeName(value))\": \(path) in body must be of type \(type): \"\(typeName(value))\"", field: path))
            return
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            causes.append(
                FaceError.Cause(
                    reason: "FieldValueNotSupported",
                    message: "Unsupported value: \(goValue(value)): supported values: \(allowed.map(goValue).joined(separator: ", "))", field: path))
        }
        switch value {
        case .int(let number):
            checkNumber(Double(number), value, schema, path, &causes)
        case .double(let number):
            checkNumber(number, value, schema, path, &causes)
        case .string(let text):
            if let minLength = schema["minLength"]?.int, text.count < minLength {
                causes.append(invalid(value, path, "should be at least \(minLength) chars long"))
            }
            if let maxLength = schema["maxLength"]?.int, text.count > maxLength {
                causes.append(invalid(value, path, "should be at most \(maxLength) chars long"))
            }
            if let pattern = schema["pattern"]?.string, !FacePattern.matches(text, pattern) {
                causes.append(invalid(value, path, "should match '\(pattern)'"))
            }
            if schema["format"]?.string == "date-time", TimeFormat.parse(text) == nil {
                causes.append(
                    FaceError.Cause(
                        reason: "FieldValueInvalid", message: "Invalid value: \"\(text)\": \(path) in body must be of type date-time: \"\(text)\"",
                        field: path))
            }
        case .array(let items):
            if let minItems = schema["minItems"]?.int, items.count < minItems {
                causes.append(invalid(.int(Int64(items.count)), path, "should have at least \(minItems) items"))
            }
            if let maxItems = schema["maxItems"]?.int, items.count > maxItems {
                causes.append(invalid(.int(Int64(items.count)), path, "should have at most \(maxItems) items"))
            }
            if let itemSchema = schema["items"] {
                // The 1.23 validator names list items without their index.
                for item in items { validate(item, itemSchema, path: path, into: &causes) }
            }
        case .object(let fields):
            for name in schema["required"]?.arrayValue?.compactMap(\.string) ?? [] where fields[name] == nil {
                causes.append(FaceError.Cause(reason: "FieldValueRequired", message: "Required value", field: "\(path).\(name)"))
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, child) in fields.sorted(by: { $0.key < $1.key }) {
                if let childSchema = properties[name] {
                    validate(child, childSchema, path: "\(path).\(name)", into: &causes)
                } else if let additional = schema["additionalProperties"], case .object = additional {
                    validate(child, additional, path: "\(path).\(name)", into: &causes)
                }
            }
        default:
            break
        }
    }

    static func checkNumber(_ number: Double, _ value: JSON, _ schema: JSON, _ path: String, _ causes: inout [FaceError.Cause]) {
        if let minimum = schema["minimum"]?.int, number < Double(minimum) {
            causes.append(invalid(value, path, "should be greater than or equal to \(minimum)"))
        }
        if let maximum = schema["maximum"]?.int, number > Double(maximum) {
            causes.append(invalid(value, path, "should be less than or equal to \(maximum)"))
        }
    }

    // MARK: Pruning and defaults

    /// `value` without the fields its schema does not know; `pruned` gets their paths.
    static func prune(_ value: JSON, _ schema: JSON, path: String, pruned: inout [String]) -> JSON {
        if schema["x-kubernetes-preserve-unknown-fields"] == .bool(true) { return value }
        switch value {
        case .object(let fields):
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            var kept: [String: JSON] = [:]
            for (name, child) in fields {
                if let childSchema = properties?[name] {
                    kept[name] = prune(child, childSchema, path: "\(path).\(name)", pruned: &pruned)
                } else if let additional, case .object = additional {
                    kept[name] = prune(child, additional, path: "\(path).\(name)", pruned: &pruned)
                } else if additional == .bool(true)
                    || (properties == nil && schema["type"]?.string == "object" && additional == nil
                        && schema["x-kubernetes-embedded-resource"] == .bool(true))
                {
                    kept[name] = child
                } else {
                    pruned.append(path.isEmpty ? name : "\(path).\(name)")
                }
            }
            return .object(kept)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.enumerated().map { prune($0.element, itemSchema, path: "\(path)[\($0.offset)]", pruned: &pruned) })
        default:
            return value
        }
    }

    /// `value` with its schema's defaults filled in where a field is absent from an object that
    /// is present (an absent object is not created to hold defaults).
    static func defaulted(_ value: JSON, _ schema: JSON) -> JSON {
        switch value {
        case .object(var fields):
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, childSchema) in properties {
                if let child = fields[name] {
                    fields[name] = defaulted(child, childSchema)
                } else if let value = childSchema["default"] {
                    fields[name] = defaulted(value, childSchema)
                }
            }
            return .object(fields)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.map { defaulted($0, itemSchema) })
        default:
            return value
        }
    }

    // MARK: CEL

    /// The `x-kubernetes-validations` failures in `value`, each on the field that carries the rule.
    static func ruleProblems(of value: JSON, against schema: JSON, at path: String) -> [FaceError.Cause] {
        var causes: [FaceError.Cause] = []
        for rule in schema["x-kubernetes-validations"]?.arrayValue ?? [] {
            let text = rule["rule"]?.string ?? ""
            let message = rule["message"]?.string ?? "failed rule: \(text)"
            switch FaceCELRules.evaluate(text, on: value) {
            case .pass: break
            case .fail:
                causes.append(FaceError.Cause(reason: "FieldValueInvalid", message: "Invalid value: \(goDump(value)): \(message)", field: path))
            case .error(let error):
                causes.append(
                    FaceError.Cause(
                        reason: "FieldValueInvalid", message: "Invalid value: \(goDump(value)): \(error) evaluating rule: \(message)", field: path))
            }
        }
        switch value {
        case .object(let fields):
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, child) in fields.sorted(by: { $0.key < $1.key }) {
                if let childSchema = properties[name] { causes += ruleProblems(of: child, against: childSchema, at: "\(path).\(name)") }
            }
        case .array(let items):
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() { causes += ruleProblems(of: item, against: itemSchema, at: "\(path)[\(index)]") }
            }
        default:
            break
        }
        return causes
    }

    // MARK: Go's formatting of values in messages

    /// A value as Go's `%v` prints it in a field error: strings quoted, numbers bare.
    static func goValue(_ value: JSON) -> String {
        switch value {
        case .string(let text): return goQuote(text)
        case .int(let number): return String(number)
        case .double(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "\"null\""
        default: return goDump(value)
        }
    }

    /// A value as Go's `%#v` prints the unstructured object: `map[string]interface {}{"a":1}`.
    static func goDump(_ value: JSON) -> String {
        switch value {
        case .object(let fields):
            return "map[string]interface {}{"
                + fields.sorted { $0.key < $1.key }.map { "\(goQuote($0.key)):\(goDump($0.value))" }.joined(separator: ", ") + "}"
        case .array(let items):
            return "[]interface {}{" + items.map(goDump).joined(separator: ", ") + "}"
        case .null: return "interface {}(nil)"
        default: return goValue(value)
        }
    }

    static func goQuote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
