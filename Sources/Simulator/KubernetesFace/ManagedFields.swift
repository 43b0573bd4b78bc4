/// Field ownership as the API server tracks it in `metadata.managedFields`: which manager set
/// which field, through which operation (Update, Apply) and subresource. A server-side apply
/// that changes a field another manager owns is a 409 conflict unless forced; fields an applier
/// stops applying are removed when nobody else owns them.
///
/// Paths are lists of `f:<field>` and `k:<key JSON>` elements, as in `fieldsV1`: objects are
/// walked by field, lists with `x-kubernetes-list-type: map` by their keys, other lists are
/// atomic (one leaf).
enum ManagedFields {
    typealias Path = [String]

    struct Entry: Sendable, Equatable {
        var manager: String
        var operation: String
        var apiVersion: String
        var time: String
        var subresource: String?
        var fields: Set<Path>
        /// Nodes the manager created as a whole (`"."` in fieldsV1).
        var created: Set<Path>
    }

    /// How a list is keyed, from the schema of its node (nil: atomic).
    static func mapKeys(_ schema: JSON?) -> [String]? {
        guard schema?["x-kubernetes-list-type"]?.string == "map" else { return nil }
        return schema?["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.string)
    }

    static func keyElement(_ item: JSON, _ keys: [String]) -> String {
        let parts = keys.compactMap { key in item[key].map { "\(CustomResourceSchema.goQuote(key)):\(String(decoding: $0.bytes, as: UTF8.self))" } }
        return "k:{\(parts.joined(separator: ","))}"
    }

    /// Every leaf of `value` (and every node, in `nodes`), under `prefix`.
    static func leaves(_ value: JSON, _ schema: JSON?, prefix: Path, nodes: inout Set<Path>) -> Set<Path> {
        switch value {
        case .object(let fields) where !fields.isEmpty:
            nodes.insert(prefix)
            var out: Set<Path> = []
            for (name, child) in fields {
                out.formUnion(
                    leaves(child, schema?["properties"]?[name] ?? schema?["additionalProperties"], prefix: prefix + ["f:\(name)"], nodes: &nodes))
            }
            return out
        case .array(let items):
            guard let keys = mapKeys(schema) else { return [prefix] }
            nodes.insert(prefix)
            var out: Set<Path> = []
            for item in items {
                let element = prefix + [keyElement(item, keys)]
                nodes.insert(element)
                out.formUnion(leaves(item, schema?["items"], prefix: element, nodes: &nodes))
            }
            return out
        default:
            return [prefix]
        }
    }

    /// The value at `path` in `object`, if any.
    static func value(at path: Path, in object: JSON, _ schema: JSON?) -> JSON? {
        var current: JSON? = object
        var schema = schema
        for element in path {
            if element.hasPrefix("f:") {
                let name = String(element.dropFirst(2))
                current = current?[name]
                schema = schema?["properties"]?[name] ?? schema?["additionalProperties"]
            } else if let keys = mapKeys(schema) {
                current = current?.arrayValue?.first { keyElement($0, keys) == element }
                schema = schema?["items"]
            } else {
                return nil
            }
        }
        return current
    }

    /// The managed fields of the parts of `object` a write may touch, as a set of leaves.
    static func fieldSet(_ object: JSON, _ schema: JSON?, subresource: String?, nodes: inout Set<Path>) -> Set<Path> {
        var out: Set<Path> = []
        for (key, value) in object.objectValue ?? [:] where !["apiVersion", "kind"].contains(key) {
            if subresource == "status" ? key != "status" : key == "status" { continue }
            if key == "metadata" {
                for field in ["labels", "annotations"] {
                    if let labels = value[field] { out.formUnion(leaves(labels, nil, prefix: ["f:metadata", "f:\(field)"], nodes: &nodes)) }
                }
                continue
            }
            out.formUnion(leaves(value, schema?["properties"]?[key], prefix: ["f:\(key)"], nodes: &nodes))
        }
        return out
    }

    // MARK: Reading and writing metadata.managedFields

    static func entries(of object: JSON) -> [Entry] {
        (object.value(at: "metadata.managedFields")?.arrayValue ?? []).map { entry in
            var fields: Set<Path> = []
            var created: Set<Path> = []
            func walk(_ node: JSON, _ prefix: Path) {
                let children = node.objectValue ?? [:]
                if children.isEmpty {
                    fields.insert(prefix)
                    return
                }
                for (key, child) in children {
                    if key == "." { created.insert(prefix) } else { walk(child, prefix + [key]) }
                }
            }
            for (key, child) in entry["fieldsV1"]?.objectValue ?? [:] { walk(child, [key]) }
            return Entry(
                manager: entry["manager"]?.string ?? "", operation: entry["operation"]?.string ?? "Update",
                apiVersion: entry["apiVersion"]?.string ?? "",
                time: entry["time"]?.string ?? "", subresource: entry["subresource"]?.string, fields: fields, created: created)
        }
    }

    static func encode(_ entries: [Entry]) -> JSON {
        .array(
            entries.filter { !$0.fields.isEmpty }.map { entry in
                var tree = JSON.object([:])
                func put(_ path: Path, _ leaf: JSON) {
                    var node = tree
                    func insert(_ node: inout JSON, _ index: Int) {
                        if index == path.count {
                            if node.objectValue?.isEmpty ?? true { node = leaf }
                            return
                        }
                        var child = node[path[index]] ?? .object([:])
                        insert(&child, index + 1)
                        node[path[index]] = child
                    }
                    insert(&node, 0)
                    tree = node
                }
                for path in entry.fields.sorted(by: { $0.lexicographicallyPrecedes($1) }) { put(path, .object([:])) }
                for path in entry.created where !path.isEmpty { put(path + ["."], .object([:])) }
                var fields: [String: JSON] = [
                    "manager": .string(entry.manager), "operation": .string(entry.operation), "apiVersion": .string(entry.apiVersion),
                    "time": .string(entry.time), "fieldsType": .string("FieldsV1"), "fieldsV1": tree
                ]
                if let subresource = entry.subresource { fields["subresource"] = .string(subresource) }
                return .object(fields)
            })
    }

    // MARK: Operations

    /// After an Update by `manager`: it owns what it changed, and others lose those fields.
    static func updated(
        _ entries: [Entry], before: JSON?, after: JSON, schema: JSON?, manager: String, subresource: String?, apiVersion: String, time: String
    ) -> [Entry] {
        var nodesAfter: Set<Path> = []
        var nodesBefore: Set<Path> = []
        let now = fieldSet(after, schema, subresource: subresource, nodes: &nodesAfter)
        let old = before.map { fieldSet($0, schema, subresource: subresource, nodes: &nodesBefore) } ?? []
        let changed = now.filter { path in !old.contains(path) || value(at: path, in: before ?? .null, schema) != value(at: path, in: after, schema) }
        let removed = old.subtracting(now)
        var result = entries.map { entry -> Entry in
            var entry = entry
            entry.fields.subtract(changed)
            entry.fields.subtract(removed)
            return entry
        }
        guard !changed.isEmpty else { return result.filter { !$0.fields.isEmpty } }
        let created = nodesAfter.subtracting(nodesBefore).filter { !$0.isEmpty && $0.count > 0 }
        if let index = result.firstIndex(where: { $0.manager == manager && $0.operation == "Update" && $0.subresource == subresource }) {
            result[index].fields.formUnion(changed)
            result[index].created.formUnion(created)
            result[index].time = time
        } else {
            result.append(
                Entry(
                    manager: manager, operation: "Update", apiVersion: apiVersion, time: time, subresource: subresource, fields: changed,
                    created: created))
        }
        return result.filter { !$0.fields.isEmpty }
    }

    /// The conflicts of an apply by `manager` of `applied` over `current` (fields another manager
    /// owns whose value the apply changes).
    static func conflicts(_ entries: [Entry], current: JSON, applied: JSON, schema: JSON?, manager: String, subresource: String?) -> [(Path, Entry)] {
        var nodes: Set<Path> = []
        let wanted = fieldSet(applied, schema, subresource: subresource, nodes: &nodes)
        var found: [(Path, Entry)] = []
        for entry in entries where entry.manager != manager {
            for path in wanted.intersection(entry.fields).sorted(by: { $0.lexicographicallyPrecedes($1) })
            where value(at: path, in: current, schema) != value(at: path, in: applied, schema) {
                found.append((path, entry))
            }
        }
        return found
    }

    /// The object after an apply, and the entries: the applier's Apply entry holds exactly what
    /// it applied; forced-over fields leave their other owners.
    static func applied(
        _ entries: [Entry], current: JSON, applied: JSON, schema: JSON?, manager: String, subresource: String?, apiVersion: String, time: String,
        force: Bool
    ) -> (JSON, [Entry]) {
        var nodes: Set<Path> = []
        let wanted = fieldSet(applied, schema, subresource: subresource, nodes: &nodes)
        let previous = entries.first { $0.manager == manager && $0.operation == "Apply" && $0.subresource == subresource }?.fields ?? []
        var object = merge(current, applied, schema)
        // Fields this manager applied before, no longer applies, and nobody else owns: removed.
        let othersOwn = entries.filter { !($0.manager == manager && $0.operation == "Apply" && $0.subresource == subresource) }.reduce(
            into: Set<Path>()
        ) { $0.formUnion($1.fields) }
        for path in previous.subtracting(wanted).subtracting(othersOwn) { object = removing(path, from: object, schema) }
        var result = entries.filter { !($0.manager == manager && $0.operation == "Apply" && $0.subresource == subresource) }.map { entry -> Entry in
            var entry = entry
            if force { entry.fields.subtract(wanted.filter { value(at: $0, in: current, schema) != value(at: $0, in: applied, schema) }) }
            return entry
        }
        let keyed = nodes.filter { $0.last?.hasPrefix("k:") == true }
        result.insert(
            Entry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: time, subresource: subresource, fields: wanted, created: keyed),
            at: 0)
        return (object, result.filter { !$0.fields.isEmpty })
    }

    /// `patch` merged into `base`: objects field by field, map-keyed lists item by item, the rest replaced.
    static func merge(_ base: JSON, _ patch: JSON, _ schema: JSON?) -> JSON {
        switch (base, patch) {
        case (.object(var fields), .object(let changes)):
            for (key, change) in changes {
                fields[key] = fields[key].map { merge($0, change, schema?["properties"]?[key] ?? schema?["additionalProperties"]) } ?? change
            }
            return .object(fields)
        case (.array(var items), .array(let changes)):
            guard let keys = mapKeys(schema) else { return patch }
            for change in changes {
                let key = keyElement(change, keys)
                if let index = items.firstIndex(where: { keyElement($0, keys) == key }) {
                    items[index] = merge(items[index], change, schema?["items"])
                } else {
                    items.append(change)
                }
            }
            return .array(items)
        default:
            return patch
        }
    }

    static func removing(_ path: Path, from object: JSON, _ schema: JSON?) -> JSON {
        guard let first = path.first else { return object }
        if first.hasPrefix("f:") {
            let name = String(first.dropFirst(2))
            guard var fields = object.objectValue, let child = fields[name] else { return object }
            if path.count == 1 {
                fields[name] = nil
            } else {
                fields[name] = removing(Array(path.dropFirst()), from: child, schema?["properties"]?[name])
            }
            return .object(fields)
        }
        guard let keys = mapKeys(schema), var items = object.arrayValue, let index = items.firstIndex(where: { keyElement($0, keys) == first }) else {
            return object
        }
        if path.count == 1 { items.remove(at: index) } else { items[index] = removing(Array(path.dropFirst()), from: items[index], schema?["items"]) }
        return .array(items)
    }

    /// `.status.desiredReplicas`, as a conflict names a field.
    static func describe(_ path: Path) -> String {
        path.map { element in element.hasPrefix("f:") ? ".\(element.dropFirst(2))" : "[\(element.dropFirst(2))]" }.joined()
    }
}
