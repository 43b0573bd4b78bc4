import KubernetesTypes

/// A Kubernetes object type the client reads and writes.
public protocol KubernetesResource: Codable, Sendable {
    static var resource: ResourceKind { get }
    static var kindName: String { get }
    var metadata: ObjectMeta { get set }
}

extension KubernetesResource {
    public static var apiVersion: String {
        resource.group.isEmpty ? resource.version : "\(resource.group)/\(resource.version)"
    }

    /// `kind namespace/name`, for step names and logs.
    public var reference: String {
        "\(Self.kindName.lowercased()) \(metadata.namespace.map { "\($0)/" } ?? "")\(metadata.name ?? "?")"
    }
}

/// A page of a list, and the resourceVersion to watch from.
public struct ResourceList<Item: KubernetesResource>: Sendable {
    public var items: [Item]
    public var resourceVersion: String
}

/// One event of a watch stream.
public enum WatchEvent<Item: KubernetesResource>: Sendable {
    case added(Item)
    case modified(Item)
    case deleted(Item)
    /// Nothing changed, but the stream has reached this resourceVersion.
    case bookmark(resourceVersion: String)
}
