import Yams

/// An ordered YAML document, for manifests whose key order people read (apiVersion, kind,
/// metadata, spec). Strings that YAML would read as something else (`"true"`, `"1"`) are quoted.
public indirect enum YAMLTree: Sendable, Equatable {
    case map([(String, YAMLTree)])
    case list([YAMLTree])
    case string(String)
    case integer(Int64)
    case boolean(Bool)

    public static func == (lhs: YAMLTree, rhs: YAMLTree) -> Bool {
        switch (lhs, rhs) {
        case let (.map(a), .map(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.list(a), .list(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.boolean(a), .boolean(b)): return a == b
        default: return false
        }
    }

    public var node: Node {
        switch self {
        case .map(let pairs):
            return .mapping(Node.Mapping(pairs.map { (Self.string($0.0).node, $0.1.node) }))
        case .list(let items):
            return .sequence(Node.Sequence(items.map(\.node)))
        case .string(let text):
            let plain = Node(text)
            if plain.tagName == .str, !text.isEmpty { return plain }
            return Node(text, Tag(.str), .doubleQuoted)
        case .integer(let number):
            return Node(String(number), Tag(.int))
        case .boolean(let flag):
            return Node(flag ? "true" : "false", Tag(.bool))
        }
    }

    /// The documents as one YAML stream, separated by `---`.
    public static func render(_ documents: [YAMLTree]) throws -> String {
        var out = ""
        for (index, document) in documents.enumerated() {
            if index > 0 { out += "---\n" }
            out += try Yams.serialize(node: document.node, indent: 2, width: -1, sortKeys: false, sequenceStyle: .block, mappingStyle: .block)
        }
        return out
    }
}
