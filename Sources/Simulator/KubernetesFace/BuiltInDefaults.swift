/// The defaults a kube-apiserver fills into the built-in kinds Ebb and its tests write, and
/// which kinds count generations, as recorded from a 1.23 server (shared/kube-apiserver-1.23).
enum BuiltInDefaults {
    /// Custom resources, CRDs and workloads count spec changes; Events, Leases, Pods and the
    /// rest have no metadata.generation.
    static func hasGeneration(_ resource: FaceResource, customResource: Bool) -> Bool {
        customResource || resource == .customResourceDefinitions || ["statefulsets", "deployments"].contains(resource.plural)
    }

    static func applied(_ resource: FaceResource, _ object: JSON) -> JSON {
        var object = object
        func fill(_ path: String, _ value: JSON) {
            if object.value(at: path) == nil { object.set(value, at: path) }
        }
        switch (resource.group, resource.plural) {
        case ("apps", "statefulsets"):
            fill("spec.replicas", .int(1))
            fill("spec.podManagementPolicy", .string("OrderedReady"))
            fill("spec.updateStrategy", .object(["type": .string("RollingUpdate"), "rollingUpdate": .object(["partition": .int(0)])]))
            fill("spec.revisionHistoryLimit", .int(10))
            object = podTemplateDefaults(object, at: "spec.template")
            if object["status"] == nil { object["status"] = .object(["replicas": .int(0), "availableReplicas": .int(0)]) }
        case ("events.k8s.io", "events"):
            fill("deprecatedSource", .object([:]))
            if object["deprecatedFirstTimestamp"] == nil { object["deprecatedFirstTimestamp"] = .null }
            if object["deprecatedLastTimestamp"] == nil { object["deprecatedLastTimestamp"] = .null }
        default:
            break
        }
        return object
    }

    static func podTemplateDefaults(_ object: JSON, at path: String) -> JSON {
        guard var template = object.value(at: path) else { return object }
        if template["metadata"]?["creationTimestamp"] == nil { template.set(.null, at: "metadata.creationTimestamp") }
        var spec = template["spec"] ?? .object([:])
        for (key, value) in [
            ("restartPolicy", JSON.string("Always")), ("terminationGracePeriodSeconds", .int(30)), ("dnsPolicy", .string("ClusterFirst")),
            ("securityContext", .object([:])), ("schedulerName", .string("default-scheduler"))
        ] where spec[key] == nil {
            spec[key] = value
        }
        if let containers = spec["containers"]?.arrayValue {
            spec["containers"] = .array(
                containers.map { container in
                    var container = container
                    for (key, value) in [
                        ("resources", JSON.object([:])), ("terminationMessagePath", .string("/dev/termination-log")),
                        ("terminationMessagePolicy", .string("File"))
                    ] where container[key] == nil {
                        container[key] = value
                    }
                    if container["imagePullPolicy"] == nil {
                        let image = container["image"]?.string ?? ""
                        container["imagePullPolicy"] = .string(image.hasSuffix(":latest") || !image.contains(":") ? "Always" : "IfNotPresent")
                    }
                    if let ports = container["ports"]?.arrayValue {
                        container["ports"] = .array(
                            ports.map { port in
                                var port = port
                                if port["protocol"] == nil { port["protocol"] = .string("TCP") }
                                return port
                            })
                    }
                    return container
                })
        }
        template["spec"] = spec
        var result = object
        result.set(template, at: path)
        return result
    }
}
