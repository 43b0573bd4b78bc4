import Foundation
import KafkaAdmin

/// Discovery and OpenAPI documents: what kubectl reads before anything else.
extension KubernetesWorld {
    var groupVersions: [(group: String, version: String)] {
        Set(resources.map { "\($0.group)|\($0.version)" }).sorted().map { key in
            let parts = key.split(separator: "|", omittingEmptySubsequences: false)
            return (String(parts[0]), String(parts[1]))
        }
    }

    func versionDocument() -> JSON {
        .object([
            "major": .string("1"), "minor": .string("32"), "gitVersion": .string("v1.32.0-ebb-simulated"), "platform": .string("linux/amd64"),
            "buildDate": .string("2026-01-01T00:00:00Z"), "compiler": .string("gc"), "goVersion": .string("go1.23"), "gitCommit": .string("ebb"),
            "gitTreeState": .string("clean")
        ])
    }

    func coreVersions(address: String) -> JSON {
        .object([
            "kind": .string("APIVersions"), "versions": .array([.string("v1")]),
            "serverAddressByClientCIDRs": .array([.object(["clientCIDR": .string("0.0.0.0/0"), "serverAddress": .string(address)])])
        ])
    }

    /// The order a 1.23 server lists its groups in (by priority); custom groups come last.
    static let groupOrder = [
        "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch",
        "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io",
        "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io"
    ]

    func groupList() -> JSON {
        var groups: [String: [String]] = [:]
        for (group, version) in groupVersions where !group.isEmpty { groups[group, default: []].append(version) }
        let rank = { (name: String) in Self.groupOrder.firstIndex(of: name) ?? Self.groupOrder.count }
        return .object([
            "kind": .string("APIGroupList"), "apiVersion": .string("v1"),
            "groups": .array(
                groups.keys.sorted { (rank($0), $0) < (rank($1), $1) }.map { name in
                    let versions = groups[name]!.sorted()
                    let entries = versions.map { JSON.object(["groupVersion": .string("\(name)/\($0)"), "version": .string($0)]) }
                    return .object(["name": .string(name), "versions": .array(entries), "preferredVersion": entries.last!])
                })
        ])
    }

    /// What a server puts in storageVersionHash: the first 8 bytes of SHA-256 of group/version/Kind.
    static func storageVersionHash(_ resource: FaceResource) -> String {
        let digest = SHA2.sha256.hash(Array("\(resource.group)/\(resource.version)/\(resource.kind)".utf8))
        return Data(digest.prefix(8)).base64EncodedString()
    }

    func resourceList(group: String, version: String) -> JSON? {
        let served = resources.filter { $0.group == group && $0.version == version }.sorted { $0.plural < $1.plural }
        guard !served.isEmpty else { return nil }
        var entries: [JSON] = []
        for resource in served {
            // Custom resources: singular name and the verbs in the order a server lists them;
            // built-in kinds: no singular name, verbs sorted.
            let custom = schema(of: resource) != nil
            var entry: [String: JSON] = [
                "name": .string(resource.plural), "singularName": .string(custom ? resource.singular : ""), "namespaced": .bool(resource.namespaced),
                "kind": .string(resource.kind),
                "verbs": .array(
                    (custom
                        ? ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]
                        : ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]).map(JSON.string)),
                "storageVersionHash": .string(Self.storageVersionHash(resource))
            ]
            if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map(JSON.string)) }
            if !resource.categories.isEmpty { entry["categories"] = .array(resource.categories.map(JSON.string)) }
            entries.append(.object(entry))
            var subresources: [(String, JSON)] = []
            if resource.scale != nil {
                subresources.append(
                    (
                        "scale",
                        .object([
                            "name": .string("\(resource.plural)/scale"), "singularName": .string(""), "namespaced": .bool(resource.namespaced),
                            "group": .string("autoscaling"), "version": .string("v1"), "kind": .string("Scale"),
                            "verbs": .array(["get", "patch", "update"].map(JSON.string))
                        ])
                    ))
            }
            if resource.hasStatus {
                subresources.append(
                    (
                        "status",
                        .object([
                            "name": .string("\(resource.plural)/status"), "singularName": .string(""), "namespaced": .bool(resource.namespaced),
                            "kind": .string(resource.kind), "verbs": .array(["get", "patch", "update"].map(JSON.string))
                        ])
                    ))
            }
            // A CRD's subresources come status first; built-in ones alphabetically.
            if custom { subresources.reverse() }
            entries += subresources.map(\.1)
        }
        return .object([
            "kind": .string("APIResourceList"), "apiVersion": .string("v1"), "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(entries)
        ])
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
            let parameters = JSON.array(
                ["fieldValidation", "fieldManager", "dryRun", "force"].map {
                    .object(["name": .string($0), "in": .string("query"), "schema": .object(["type": .string($0 == "force" ? "boolean" : "string")])])
                })
            let operation = JSON.object([
                "x-kubernetes-group-version-kind": gvk, "parameters": parameters,
                "responses": .object(["200": .object(["description": .string("OK")])])
            ])
            paths[path] = .object([
                "patch": operation, "put": operation,
                "get": .object([
                    "x-kubernetes-group-version-kind": gvk,
                    "responses": .object(["200": .object(["description": .string("OK")])])
                ])
            ])
        }
        return .object([
            "openapi": .string("3.0.0"), "info": .object(["title": .string("Kubernetes"), "version": .string("v1.32.0")]),
            "paths": .object(paths), "components": .object(["schemas": .object([:])])
        ])
    }
}
