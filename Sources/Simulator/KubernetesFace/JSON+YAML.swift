import Yams

extension JSON {
    /// The first YAML document of `text` as JSON.
    public static func yaml(_ text: String) throws -> JSON {
        guard let loaded = try Yams.load(yaml: text) else { return .null }
        return from(yamlValue: loaded)
    }

    static func from(yamlValue value: Any) -> JSON {
        switch value {
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(Int64(value))
        case let value as Double: return .double(value)
        case let value as String: return .string(value)
        case let value as [Any]: return .array(value.map(from(yamlValue:)))
        case let value as [String: Any]: return .object(value.mapValues(from(yamlValue:)))
        default: return .null
        }
    }
}

extension KubernetesWorld {
    /// Creates every object of a multi-document YAML text (a manifest file), in order, as
    /// `kubectl create -f` would; `adjust` may change each object first. Documents that are
    /// empty or only comments are skipped; an object of a kind the world does not serve is an error.
    @discardableResult
    public func createAll(_ text: String, adjust: (JSON) -> JSON = { $0 }) throws -> [JSON] {
        var created: [JSON] = []
        for document in text.components(separatedBy: "\n---\n") {
            let object = try JSON.yaml(document)
            guard case .object = object else { continue }
            guard let kind = object["kind"]?.string,
                let type = resources.first(where: { $0.kind == kind && $0.apiVersion == object["apiVersion"]?.string })
            else {
                throw FaceError(
                    code: 404, reason: "NotFound", message: "no resource for \(object["apiVersion"]?.string ?? "?") \(object["kind"]?.string ?? "?")")
            }
            let adjusted = adjust(object)
            created.append(try create(type, namespace: adjusted.value(at: "metadata.namespace")?.string, adjusted))
        }
        return created
    }
}
