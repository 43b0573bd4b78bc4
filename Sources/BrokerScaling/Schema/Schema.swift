/// A structural OpenAPI v3 schema, as a Kubernetes CRD needs it, described once in Swift.
///
/// The same value produces the CRD (`Schema+OpenAPI.swift`) and drives `ebb validate`
/// (`StructuralValidator.swift`), so the two cannot disagree about a field's type, bounds or
/// description.
public struct Schema: Sendable {
    public indirect enum Kind: Sendable {
        case object([Property])
        case array(Schema)
        case string
        case integer
        case boolean
        /// A Kubernetes quantity: an integer or a string such as `120Mi`.
        case quantity(allowZero: Bool)
        /// A map of string to string (labels, annotations).
        case stringMap
        /// Any object; the API server keeps unknown fields (used for `metadata`).
        case embeddedObject
        /// A number, whole or not.
        case number
        /// An RFC 3339 time, such as 2026-11-27T17:00:00Z.
        case dateTime
    }

    public struct Property: Sendable {
        public let name: String
        public let schema: Schema
    }

    public enum ListType: String, Sendable {
        case atomic
        case set
        case map
    }

    public var kind: Kind
    public var description: String
    public var required: [String] = []
    public var enumValues: [String]? = nil
    public var minimum: Int64? = nil
    public var maximum: Int64? = nil
    public var minItems: Int? = nil
    public var maxItems: Int? = nil
    public var minLength: Int? = nil
    public var maxLength: Int? = nil
    public var pattern: String? = nil
    /// What `pattern` means, in words, for error messages.
    public var patternHint: String? = nil
    public var defaultValue: DefaultValue? = nil
    public var rules: [PoolRule] = []
    public var listType: ListType? = nil
    public var listMapKeys: [String]? = nil
    /// An integer field held in an Int64 in Swift (generations); the others are Int32, and
    /// `ebb validate` and `ebb decide` refuse values beyond Int32 naming the field, where
    /// decoding would fail with no path.
    public var wide = false

    public enum DefaultValue: Sendable, Equatable {
        case integer(Int64)
        case boolean(Bool)
        case string(String)
    }

    /// The properties of an object schema, empty for other kinds.
    public var properties: [Property] {
        if case .object(let properties) = kind { return properties }
        return []
    }

    public func property(_ name: String) -> Schema? {
        properties.first(where: { $0.name == name })?.schema
    }
}

// MARK: - Builders

extension Schema {
    public static func object(
        _ description: String, required: [String] = [], rules: [PoolRule] = [], _ properties: [(String, Schema)]
    ) -> Schema {
        Schema(
            kind: .object(properties.map { Property(name: $0.0, schema: $0.1) }), description: description,
            required: required, rules: rules)
    }

    public static func string(
        _ description: String, enum enumValues: [String]? = nil, pattern: String? = nil, patternHint: String? = nil,
        minLength: Int? = nil, maxLength: Int? = nil, default defaultValue: String? = nil
    ) -> Schema {
        Schema(
            kind: .string, description: description, enumValues: enumValues, minLength: minLength,
            maxLength: maxLength, pattern: pattern, patternHint: patternHint, defaultValue: defaultValue.map { .string($0) })
    }

    public static func integer(
        _ description: String, minimum: Int64? = nil, maximum: Int64? = nil, default defaultValue: Int64? = nil, wide: Bool = false
    ) -> Schema {
        var schema = Schema(
            kind: .integer, description: description, minimum: minimum, maximum: maximum,
            defaultValue: defaultValue.map { .integer($0) })
        schema.wide = wide
        return schema
    }

    public static func boolean(_ description: String, default defaultValue: Bool? = nil) -> Schema {
        Schema(kind: .boolean, description: description, defaultValue: defaultValue.map { .boolean($0) })
    }

    public static func quantity(_ description: String, allowZero: Bool = false) -> Schema {
        Schema(kind: .quantity(allowZero: allowZero), description: description)
    }

    public static func array(
        _ description: String, of items: Schema, minItems: Int? = nil, maxItems: Int? = nil,
        listType: ListType? = nil, listMapKeys: [String]? = nil, rules: [PoolRule] = []
    ) -> Schema {
        Schema(
            kind: .array(items), description: description, minItems: minItems, maxItems: maxItems, rules: rules,
            listType: listType, listMapKeys: listMapKeys)
    }

    public static func number(_ description: String, minimum: Int64? = nil) -> Schema {
        Schema(kind: .number, description: description, minimum: minimum)
    }

    public static func dateTime(_ description: String) -> Schema {
        Schema(kind: .dateTime, description: description)
    }

    public static func stringMap(_ description: String) -> Schema {
        Schema(kind: .stringMap, description: description)
    }

    public static func embeddedObject(_ description: String) -> Schema {
        Schema(kind: .embeddedObject, description: description)
    }
}

// MARK: - Quantities

extension Schema {
    /// The pattern for a quantity written as a string (Kubernetes' own grammar, sign excluded).
    public static let quantityPattern =
        #"^(\+)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][-+]?[0-9]+))?$"#
}
