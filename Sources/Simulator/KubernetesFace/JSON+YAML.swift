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
