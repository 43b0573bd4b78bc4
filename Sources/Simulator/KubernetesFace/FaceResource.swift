/// A kind of resource the Kubernetes face serves: built in, or registered by a CRD.
public struct FaceResource: Sendable, Hashable {
    public struct Column: Sendable, Hashable {
        public var name: String
        public var type: String
        public var jsonPath: String
        public var description: String
    }

    public struct ScalePaths: Sendable, Hashable {
        public var specReplicas: String
        public var statusReplicas: String
        public var labelSelector: String?
    }

    public var group: String
    public var version: String
    public var plural: String
    public var singular: String
    public var kind: String
    public var namespaced: Bool
    public var shortNames: [String] = []
    public var hasStatus: Bool = false
    public var scale: ScalePaths?
    public var columns: [Column] = []
    public var categories: [String] = []

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var key: String { "\(group)/\(version)/\(plural)" }

    static let customResourceDefinitions = FaceResource(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", singular: "customresourcedefinition",
        kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], hasStatus: true)

    static let builtIn: [FaceResource] = [
        FaceResource(
            group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false, shortNames: ["ns"],
            hasStatus: true),
        FaceResource(
            group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"], hasStatus: true,
            columns: [
                .init(name: "Ready", type: "string", jsonPath: "#ready", description: "Ready containers"),
                .init(name: "Status", type: "string", jsonPath: ".status.phase", description: "Phase")
            ]),
        FaceResource(
            group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true, shortNames: ["svc"], hasStatus: true
        ),
        FaceResource(
            group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount", namespaced: true,
            shortNames: ["sa"]),
        FaceResource(group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true),
        FaceResource(group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true, shortNames: ["cm"]),
        FaceResource(
            group: "apps", version: "v1", plural: "statefulsets", singular: "statefulset", kind: "StatefulSet", namespaced: true, shortNames: ["sts"],
            hasStatus: true,
            scale: .init(specReplicas: ".spec.replicas", statusReplicas: ".status.replicas", labelSelector: nil),
            columns: [.init(name: "Ready", type: "string", jsonPath: "#readyOfReplicas", description: "Ready pods of desired")], categories: ["all"]),
        FaceResource(
            group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment", namespaced: true, shortNames: ["deploy"],
            hasStatus: true,
            scale: .init(specReplicas: ".spec.replicas", statusReplicas: ".status.replicas", labelSelector: nil)),
        FaceResource(
            group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease", namespaced: true,
            columns: [.init(name: "Holder", type: "string", jsonPath: ".spec.holderIdentity", description: "Holder")]),
        FaceResource(
            group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"],
            columns: [
                .init(name: "Type", type: "string", jsonPath: ".type", description: "Type"),
                .init(name: "Reason", type: "string", jsonPath: ".reason", description: "Reason"),
                .init(name: "Note", type: "string", jsonPath: ".note", description: "Note")
            ]),
        FaceResource(
            group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", singular: "clusterrole", kind: "ClusterRole", namespaced: false
        ),
        FaceResource(
            group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings", singular: "clusterrolebinding",
            kind: "ClusterRoleBinding", namespaced: false),
        FaceResource(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", singular: "role", kind: "Role", namespaced: true),
        FaceResource(
            group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", singular: "rolebinding", kind: "RoleBinding", namespaced: true),
        customResourceDefinitions
    ]

    /// The resources a CRD object defines (one per served version).
    static func from(crd: JSON) -> [FaceResource] {
        guard let spec = crd["spec"], let group = spec["group"]?.string, let names = spec["names"],
            let plural = names["plural"]?.string, let kind = names["kind"]?.string
        else { return [] }
        let namespaced = spec["scope"]?.string != "Cluster"
        return (spec["versions"]?.arrayValue ?? []).compactMap { version -> FaceResource? in
            guard let name = version["name"]?.string, version["served"] != .bool(false) else { return nil }
            let subresources = version["subresources"]
            let scale = subresources?["scale"].flatMap { scale -> ScalePaths? in
                guard let spec = scale["specReplicasPath"]?.string, let status = scale["statusReplicasPath"]?.string else { return nil }
                return ScalePaths(specReplicas: spec, statusReplicas: status, labelSelector: scale["labelSelectorPath"]?.string)
            }
            let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).compactMap { column -> Column? in
                guard let name = column["name"]?.string, let path = column["jsonPath"]?.string else { return nil }
                return Column(name: name, type: column["type"]?.string ?? "string", jsonPath: path, description: column["description"]?.string ?? "")
            }
            return FaceResource(
                group: group, version: name, plural: plural, singular: names["singular"]?.string ?? kind.lowercased(), kind: kind,
                namespaced: namespaced, shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.string),
                hasStatus: subresources?["status"] != nil, scale: scale, columns: columns,
                categories: (names["categories"]?.arrayValue ?? []).compactMap(\.string))
        }
    }
}
