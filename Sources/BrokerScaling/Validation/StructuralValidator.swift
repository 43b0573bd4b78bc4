import KubernetesTypes
import Yams

/// Checks a YAML (or JSON) node tree against a `Schema`: kinds, unknown fields, required fields,
/// enums, bounds and patterns, each problem with its field path and line. It also records the
/// line of every path it visits, so that later checks on decoded values can point at lines too.
struct StructuralValidator {
    private(set) var problems: [ValidationProblem] = []
    private(set) var lines: [String: Int] = [:]

    mutating func check(_ node: Node, against schema: Schema, at path: FieldPath) {
        if let mark = node.mark { lines[path.text] = mark.line }
        if case .alias = node {
            report(path, node, "YAML aliases are not supported here; write the value out in full")
            return
        }
        if node.tagName == .null {
            report(path, node, "has no value; give it one or remove the field")
            return
        }
        switch schema.kind {
        case .object(let properties):
            checkObject(node, properties: properties, schema: schema, at: path)
        case .array(let items):
            checkArray(node, items: items, schema: schema, at: path)
        case .string:
            checkString(node, schema: schema, at: path)
        case .integer:
            checkInteger(node, schema: schema, at: path)
        case .boolean:
            guard node.tagName == .bool else {
                return report(path, node, "expected true or false, got \(describe(node))")
            }
        case .quantity(let allowZero):
            checkQuantity(node, allowZero: allowZero, at: path)
        case .stringMap:
            guard case .mapping(let mapping) = node else {
                return report(path, node, "expected a map of names to strings, got \(describe(node))")
            }
            for (key, value) in mapping where value.tagName != .str {
                report(path.appending(key.string ?? "?"), value, "expected a string, got \(describe(value)); quote it")
            }
        case .embeddedObject:
            guard case .mapping = node else {
                return report(path, node, "expected an object (key: value pairs), got \(describe(node))")
            }
        case .number:
            guard node.tagName == .int || node.tagName == .float, let value = node.float, value.isFinite else {
                return report(path, node, "expected a number, got \(describe(node))")
            }
            if let minimum = schema.minimum, value < Double(minimum) {
                report(path, node, "must be ≥ \(minimum) (got \(node.string ?? ""))")
            }
        case .dateTime:
            guard node.tagName == .str || node.tagName == .timestamp, let text = node.string,
                TimeFormat.parse(text) != nil
            else {
                return report(path, node, "expected a time such as 2026-11-27T17:00:00Z, got \(describe(node))")
            }
        }
    }

    private mutating func checkObject(_ node: Node, properties: [Schema.Property], schema: Schema, at path: FieldPath) {
        guard case .mapping(let mapping) = node else {
            return report(path, node, "expected an object (key: value pairs), got \(describe(node))")
        }
        let known = properties.map(\.name)
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard let key = keyNode.string, keyNode.tagName == .str else {
                report(path, keyNode, "field names must be strings, got \(describe(keyNode))")
                continue
            }
            seen.insert(key)
            guard let property = properties.first(where: { $0.name == key }) else {
                var message = "unknown field"
                if let suggestion = closest(to: key, in: known) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; the fields here are \(known.joined(separator: ", "))"
                }
                report(path.appending(key), keyNode, message)
                continue
            }
            check(value, against: property.schema, at: path.appending(key))
        }
        for name in schema.required where !seen.contains(name) {
            let about = properties.first(where: { $0.name == name }).map { firstSentence($0.schema.description) } ?? ""
            report(path.appending(name), node, "required field is missing; add it (\(about))")
        }
    }

    private mutating func checkArray(_ node: Node, items: Schema, schema: Schema, at path: FieldPath) {
        guard case .sequence(let sequence) = node else {
            return report(path, node, "expected a list, got \(describe(node)); write each item on its own line starting with '- '")
        }
        if let minItems = schema.minItems, sequence.count < minItems {
            report(path, node, "needs at least \(minItems) item\(minItems == 1 ? "" : "s")")
        }
        if let maxItems = schema.maxItems, sequence.count > maxItems {
            report(path, node, "has \(sequence.count) items; at most \(maxItems) are allowed")
        }
        for (position, item) in sequence.enumerated() {
            check(item, against: items, at: path.index(position))
        }
        if schema.listType == .map, let keys = schema.listMapKeys {
            var seenKeys = Set<[String]>()
            for (position, item) in sequence.enumerated() {
                let value = keys.map { item[$0]?.string ?? "" }
                if !seenKeys.insert(value).inserted {
                    report(
                        path.index(position).appending(keys[0]), item,
                        "duplicate \(keys[0]) '\(value.joined(separator: "/"))'; each item needs a distinct \(keys[0])")
                }
            }
        }
    }

    private mutating func checkString(_ node: Node, schema: Schema, at path: FieldPath) {
        guard case .scalar = node, node.tagName == .str, let text = node.string else {
            let hint = node.isScalarNode ? "; put it in quotes" : ""
            return report(path, node, "expected a string, got \(describe(node))\(hint)")
        }
        if let values = schema.enumValues, !values.contains(text) {
            var message = "'\(text)' is not allowed; use one of \(values.joined(separator: ", "))"
            if let suggestion = closest(to: text, in: values) {
                message = "'\(text)' is not allowed; did you mean '\(suggestion)'? (one of \(values.joined(separator: ", ")))"
            }
            return report(path, node, message)
        }
        if let minLength = schema.minLength, text.count < minLength {
            return report(path, node, minLength == 1 ? "must not be empty" : "must have at least \(minLength) characters")
        }
        if let maxLength = schema.maxLength, text.count > maxLength {
            return report(path, node, "is \(text.count) characters long; at most \(maxLength) are allowed")
        }
        if let pattern = schema.pattern {
            do {
                if try Regex(pattern).firstMatch(in: text) == nil {
                    return report(path, node, "'\(text)' is malformed; write \(schema.patternHint ?? "a value matching \(pattern)")")
                }
            } catch {
                // Never a silent match: a pattern that does not compile is a defect of the schema.
                return report(
                    path, node, "cannot be checked: the schema's pattern \(pattern) does not compile (\(error)); report this as a bug of Ebb")
            }
        }
    }

    private mutating func checkInteger(_ node: Node, schema: Schema, at path: FieldPath) {
        guard node.tagName == .int, let value = node.int.map(Int64.init) else {
            if node.tagName == .str, let text = node.string, Int64(text) != nil {
                return report(path, node, "expected a number, got the string \"\(text)\"; remove the quotes")
            }
            return report(path, node, "expected a whole number, got \(describe(node))")
        }
        if let minimum = schema.minimum, value < minimum {
            return report(path, node, minimum == 1 ? "must be > 0 (got \(value))" : "must be ≥ \(minimum) (got \(value))")
        }
        if let maximum = schema.maximum ?? (schema.wide ? nil : Int64(Int32.max)), value > maximum {
            return report(path, node, "must be ≤ \(maximum) (got \(value))")
        }
        if !schema.wide, value < Int64(Int32.min) {
            return report(path, node, "must be ≥ \(Int32.min) (got \(value))")
        }
    }

    private mutating func checkQuantity(_ node: Node, allowZero: Bool, at path: FieldPath) {
        let value: Double
        switch node.tagName {
        case .int, .float:
            guard let number = node.float else { return report(path, node, "expected a quantity, got \(describe(node))") }
            value = number
        case .str:
            do {
                value = try Quantity(node.string ?? "").value
            } catch {
                return report(path, node, error.description)
            }
        default:
            return report(path, node, "expected a quantity such as 120Mi or 0.1, got \(describe(node))")
        }
        if allowZero ? value < 0 : value <= 0 {
            report(path, node, allowZero ? "must be ≥ 0 (got \(node.string ?? ""))" : "must be > 0 (got \(node.string ?? ""))")
        }
    }

    private mutating func report(_ path: FieldPath, _ node: Node, _ message: String) {
        problems.append(ValidationProblem(path: path.text, line: node.mark?.line, message: message))
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "an object"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch node.tagName {
            case .int: return "the number \(scalar.string)"
            case .float: return "the number \(scalar.string)"
            case .bool: return "the boolean \(scalar.string)"
            case .null: return "nothing"
            default: return "'\(scalar.string)'"
            }
        }
    }
}

func firstSentence(_ text: String) -> String {
    if let end = text.range(of: ". ") { return String(text[..<end.lowerBound]) }
    return text.hasSuffix(".") ? String(text.dropLast()) : text
}
