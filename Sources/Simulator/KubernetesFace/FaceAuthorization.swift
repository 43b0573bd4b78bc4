import NIOConcurrencyHelpers

/// Who sent a request, as the API server's authenticator tells it.
public struct FaceUser: Sendable, Hashable {
    public var name: String
    public var groups: [String]

    public init(name: String, groups: [String] = ["system:authenticated"]) {
        self.name = name
        self.groups = groups
    }

    /// Anything goes (`system:masters`), as the cluster admin of a test.
    public static let admin = FaceUser(name: "admin", groups: ["system:masters", "system:authenticated"])

    /// The user a ServiceAccount's token authenticates as.
    public static func serviceAccount(_ namespace: String, _ name: String) -> FaceUser {
        FaceUser(
            name: "system:serviceaccount:\(namespace):\(name)",
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
    }
}

/// One request as RBAC sees it.
struct FaceAttributes: Sendable {
    var verb: String
    var group: String
    var resource: String
    var subresource: String?
    var namespace: String?
    var name: String?

    var resourceText: String { subresource.map { "\(resource)/\($0)" } ?? resource }
}

/// RBAC as the API server evaluates it, from the ClusterRoles, Roles and their bindings stored in
/// the world: a user outside `system:masters` may do only what a rule bound to them grants. Every
/// grant that allowed a request is remembered, so that a test can list the grants never used.
public struct FaceAuthorizer: Sendable {
    /// One verb on one resource that one rule grants: what "used" is counted in.
    public struct Grant: Sendable, Hashable, CustomStringConvertible {
        var role: String
        var group: String
        var resource: String
        var verb: String

        public var description: String { "\(role): \(verb) \(group.isEmpty ? "" : "\(group)/")\(resource)" }
    }

    let used = NIOLockedValueBox<Set<Grant>>([])

    static func subjectMatches(_ subject: JSON, _ user: FaceUser) -> Bool {
        switch subject["kind"]?.string {
        case "User": return subject["name"]?.string == user.name
        case "Group": return user.groups.contains(subject["name"]?.string ?? "")
        case "ServiceAccount":
            return user.name == "system:serviceaccount:\(subject["namespace"]?.string ?? ""):\(subject["name"]?.string ?? "")"
        default: return false
        }
    }

    /// The rules that apply to `user` in `namespace` (cluster-wide ones for nil), with the name of the role each comes from.
    static func rules(for user: FaceUser, namespace: String?, in world: KubernetesWorld) -> [(String, JSON)] {
        let objects = world.state.withLockedValue { $0.objects }
        func roleRules(_ reference: JSON?, bindingNamespace: String?) -> [(String, JSON)] {
            guard let reference, let name = reference["name"]?.string else { return [] }
            let role: JSON?
            if reference["kind"]?.string == "ClusterRole" {
                role = objects["rbac.authorization.k8s.io/v1/clusterroles"]?[name]
            } else {
                role = objects["rbac.authorization.k8s.io/v1/roles"]?["\(bindingNamespace ?? "")/\(name)"]
            }
            let label = "\(reference["kind"]?.string ?? "Role") \(bindingNamespace.map { "\($0)/" } ?? "")\(name)"
            return (role?["rules"]?.arrayValue ?? []).map { (label, $0) }
        }
        var found: [(String, JSON)] = []
        for binding in (objects["rbac.authorization.k8s.io/v1/clusterrolebindings"] ?? [:]).values
        where (binding["subjects"]?.arrayValue ?? []).contains(where: { subjectMatches($0, user) }) {
            found += roleRules(binding["roleRef"], bindingNamespace: nil)
        }
        if let namespace {
            for (key, binding) in objects["rbac.authorization.k8s.io/v1/rolebindings"] ?? [:]
            where key.hasPrefix("\(namespace)/")
                && (binding["subjects"]?.arrayValue ?? []).contains(where: { subjectMatches($0, user) })
            {
                found += roleRules(binding["roleRef"], bindingNamespace: namespace)
            }
        }
        return found
    }

    static func grants(_ rule: JSON, _ attributes: FaceAttributes) -> Bool {
        func has(_ key: String, _ value: String) -> Bool {
            let values = (rule[key]?.arrayValue ?? []).compactMap(\.string)
            return values.contains("*") || values.contains(value)
        }
        guard has("apiGroups", attributes.group), has("verbs", attributes.verb), has("resources", attributes.resourceText) else { return false }
        let names = (rule["resourceNames"]?.arrayValue ?? []).compactMap(\.string)
        return names.isEmpty || (attributes.name.map(names.contains) ?? false)
    }

    /// Nil when allowed; the 403 the server answers otherwise.
    func check(_ user: FaceUser, _ attributes: FaceAttributes, in world: KubernetesWorld) -> FaceError? {
        if user.groups.contains("system:masters") { return nil }
        for (role, rule) in Self.rules(for: user, namespace: attributes.namespace, in: world) where Self.grants(rule, attributes) {
            _ = used.withLockedValue {
                $0.insert(Grant(role: role, group: attributes.group, resource: attributes.resourceText, verb: attributes.verb))
            }
            return nil
        }
        let qualified = attributes.group.isEmpty ? attributes.resource : "\(attributes.resource).\(attributes.group)"
        let subject = attributes.name.map { "\(qualified) \"\($0)\"" } ?? qualified
        let scope = attributes.namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        return FaceError(
            code: 403, reason: "Forbidden",
            message:
                "\(subject) is forbidden: User \"\(user.name)\" cannot \(attributes.verb) resource \"\(attributes.resourceText)\" in API group \"\(attributes.group)\"\(scope)",
            details: FaceError.Details(name: attributes.name, group: attributes.group.isEmpty ? nil : attributes.group, kind: attributes.resource))
    }

    /// Every verb on every resource that `user`'s roles grant and no request of theirs used.
    func unusedGrants(of user: FaceUser, in world: KubernetesWorld) -> [Grant] {
        let objects = world.state.withLockedValue { $0.objects }
        var namespaces: Set<String?> = [nil]
        for key in (objects["rbac.authorization.k8s.io/v1/rolebindings"] ?? [:]).keys { namespaces.insert(String(key.split(separator: "/")[0])) }
        var granted: Set<Grant> = []
        for namespace in namespaces {
            for (role, rule) in Self.rules(for: user, namespace: namespace, in: world) where namespace == nil || role.hasPrefix("Role ") {
                for group in (rule["apiGroups"]?.arrayValue ?? []).compactMap(\.string) {
                    for resource in (rule["resources"]?.arrayValue ?? []).compactMap(\.string) {
                        for verb in (rule["verbs"]?.arrayValue ?? []).compactMap(\.string) {
                            granted.insert(Grant(role: role, group: group, resource: resource, verb: verb))
                        }
                    }
                }
            }
        }
        let used = used.withLockedValue { $0 }
        return granted.subtracting(used).sorted { $0.description < $1.description }
    }
}
