/// A kind of Kubernetes resource and where the API serves it.
public struct ResourceKind: Sendable, Hashable {
    /// API group; empty for the core group.
    public let group: String
    public let version: String
    public let plural: String
    public let namespaced: Bool

    public init(group: String, version: String, plural: String, namespaced: Bool = true) {
        self.group = group
        self.version = version
        self.plural = plural
        self.namespaced = namespaced
    }

    public static let statefulSet = ResourceKind(group: "apps", version: "v1", plural: "statefulsets")
    public static let pod = ResourceKind(group: "", version: "v1", plural: "pods")
    public static let secret = ResourceKind(group: "", version: "v1", plural: "secrets")
    public static let lease = ResourceKind(group: "coordination.k8s.io", version: "v1", plural: "leases")
    public static let event = ResourceKind(group: "events.k8s.io", version: "v1", plural: "events")

    /// `/api/v1` for the core group, `/apis/GROUP/VERSION` otherwise.
    public var groupVersionPath: String {
        group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
    }

    /// The path of a collection (namespace nil: across all namespaces), an object, or a subresource.
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = groupVersionPath
        if namespaced, let namespace { path += "/namespaces/\(Self.escape(namespace))" }
        path += "/\(plural)"
        if let name {
            path += "/\(Self.escape(name))"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }

    /// Names are DNS labels in practice; escape anything else rather than build a wrong path.
    static func escape(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            let character = Character(UnicodeScalar(byte))
            if character.isASCII && (character.isLetter || character.isNumber || "-._~".contains(character)) {
                out.append(character)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
