/// Discovery and OpenAPI documents: what kubectl reads before anything else.
extension KubernetesWorld {
    var groupVersions: [(group: String, version: String)] {
        Set(resources.map { "\($0.group)|\($0.version)" }).sorted().map { key in
            let parts = key.split(separator: "|", omittingEmptySubsequences: false)
            return (String(parts[0]), String(parts[1]))
        }
    }

    func versionDocument() -> JSON {
        .object(["major": .string("1"), "minor": .string("32"), "gitVersion": .string("v1.32.0-ebb-simulated"), "platform": .string("linux/amd64"),
                 "buildDate": .string("2026-01-01T00:00:00Z"), "compiler": .string("gc"), "goVersion": .string("go1.23"), "gitCommit": .string("ebb"),
                 "gitTreeState": .string("clean")])
    }

    func coreVersions(address: String) -> JSON {
        .object(["kind": .string("APIVersions"), "versions": .array([.string("v1")]),
                 "serverAddressByClientCIDRs": .array([.object(["clientCIDR": .string("0.0.0.0/0"), "serverAddress": .string(address)])])])
    }

    func groupList() -> JSON {
        var groups: [String: [String]] = [:]
        for (group, version) in groupVersions where !group.isEmpty { groups[group, default: []].append(version) }
        return .object([
            "kind": .string("APIGroupList"), "apiVersion": .string("v1"),
            "groups": .array(groups.keys.sorted().map { name in
                let versions = groups[name]!.sorted()
                let entries = versions.map { JSON.object(["groupVersion": .string("\(name)/\($0)"), "version": .string($0)]) }
                return .object(["name": .string(name), "versions": .array(entries), "preferredVersion": entries.last!])
            }),
        ])
    }

    func resourceList(group: String, version: String) -> JSON? {
        let served = resources.filter { $0.group == group && $0.version == version }.sorted { $0.plural < $1.plural }
        guard !served.isEmpty else { return nil }
        var entries: [JSON] = []
        for resource in served {
            entries.append(.object([
                "name": .string(resource.plural), "singularName": .string(resource.singular), "namespaced": .bool(resource.namespaced),
                "kind": .string(resource.kind), "shortNames": .array(resource.shortNames.map(JSON.string)),
                "verbs": .array(["create", "delete", "get", "list", "patch", "update", "watch"].map(JSON.string)),
            ]))
            if resource.hasStatus {
                entries.append(.object(["name": .string("\(resource.plural)/status"), "singularName": .string(""), "namespaced": .bool(resource.namespaced),
                                        "kind": .string(resource.kind), "verbs": .array(["get", "patch", "update"].map(JSON.string))]))
            }
            if resource.scale != nil {
                entries.append(.object(["name": .string("\(resource.plural)/scale"), "singularName": .string(""), "namespaced": .bool(resource.namespaced),
                                        "group": .string("autoscaling"), "version": .string("v1"), "kind": .string("Scale"),
                                        "verbs": .array(["get", "patch", "update"].map(JSON.string))]))
            }
        }
        return .object(["kind": .string("APIResourceList"), "apiVersion": .string("v1"), "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                        "resources": .array(entries)])
    }

    static func openAPIPath(group: String, version: String) -> String { group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)" }

    /// The OpenAPI v3 index: one document per group-version.
    func openAPIIndex() -> JSON {
        var paths: [String: JSON] = [:]
        for (group, version) in groupVersions {
            let path = Self.openAPIPath(group: group, version: version)
            paths[path] = .object(["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(revision)")])
        }
        return .object(["paths": .object(paths)])
    }

    /// A minimal OpenAPI v3 document for a group-version: each resource's PATCH operation with
    /// its group-version-kind and the `fieldValidation` parameter, which tells kubectl that the
    /// server validates (as API servers since 1.27 do) so it sends `fieldValidation=Strict`.
    func openAPIDocument(group: String, version: String) -> JSON? {
        let served = resources.filter { $0.group == group && $0.version == version }
        guard !served.isEmpty else { return nil }
        var paths: [String: JSON] = [:]
        for resource in served {
            let base = "/" + Self.openAPIPath(group: group, version: version)
            let path = resource.namespaced ? "\(base)/namespaces/{namespace}/\(resource.plural)/{name}" : "\(base)/\(resource.plural)/{name}"
            let gvk = JSON.object(["group": .string(group), "version": .string(version), "kind": .string(resource.kind)])
            let parameters = JSON.array(["fieldValidation", "fieldManager", "dryRun", "force"].map {
                .object(["name": .string($0), "in": .string("query"), "schema": .object(["type": .string($0 == "force" ? "boolean" : "string")])])
            })
            let operation = JSON.object(["x-kubernetes-group-version-kind": gvk, "parameters": parameters,
                                         "responses": .object(["200": .object(["description": .string("OK")])])])
            paths[path] = .object(["patch": operation, "put": operation, "get": .object(["x-kubernetes-group-version-kind": gvk,
                                                                                           "responses": .object(["200": .object(["description": .string("OK")])])])])
        }
        return .object(["openapi": .string("3.0.0"), "info": .object(["title": .string("Kubernetes"), "version": .string("v1.32.0")]),
                        "paths": .object(paths), "components": .object(["schemas": .object([:])])])
    }
}
