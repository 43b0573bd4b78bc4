/// The simulated kube-controller-manager's part that matters to Ebb: each StatefulSet gets
/// pods `NAME-0` … `NAME-(replicas-1)`, created by ordinal, removed from the highest ordinal
/// down, ready `readyAfter` seconds after creation; the StatefulSet's status counts them.
public struct StatefulSetController: Sendable {
    public let world: KubernetesWorld
    public var readyAfter: Double

    public init(world: KubernetesWorld, readyAfter: Double = 20) {
        self.world = world
        self.readyAfter = readyAfter
    }

    static let startedAt = "sim.ebb.io/started-at"

    /// One pass at `now` (seconds, the world's clock); returns the writes the API refused, each
    /// naming the object (the real controller logs them and tries again on its next pass, as
    /// this one does). A pod already there, or already gone, is not an error: a pass saw it.
    public func reconcile(now: Double) -> [String] {
        guard let statefulSets = world.resource(group: "apps", version: "v1", plural: "statefulsets"),
            let pods = world.resource(group: "", version: "v1", plural: "pods")
        else { return [] }
        var refused: [String] = []
        for set in world.list(statefulSets, namespace: nil, selector: FaceLabelSelector(), limit: nil, after: nil).items {
            reconcile(set, statefulSets: statefulSets, pods: pods, now: now, refused: &refused)
        }
        return refused
    }

    func reconcile(_ set: JSON, statefulSets: FaceResource, pods: FaceResource, now: Double, refused: inout [String]) {
        guard let name = set.value(at: "metadata.name")?.string, let namespace = set.value(at: "metadata.namespace")?.string else { return }
        func attempt<T>(_ what: String, tolerating tolerated: Int, _ write: () throws(FaceError) -> T) -> T? {
            do {
                return try write()
            } catch {
                if error.code != tolerated { refused.append("the StatefulSet controller could not \(what) in \(namespace): \(error.message)") }
                return nil
            }
        }
        let replicas = Int(set.value(at: "spec.replicas")?.int ?? 1)
        let templateLabels =
            set.value(at: "spec.template.metadata.labels")?.objectValue ?? set.value(at: "spec.selector.matchLabels")?.objectValue ?? [:]
        var owned: [Int: JSON] = [:]
        for pod in world.list(pods, namespace: namespace, selector: FaceLabelSelector(), limit: nil, after: nil).items {
            guard let podName = pod.value(at: "metadata.name")?.string, podName.hasPrefix("\(name)-"),
                let ordinal = Int(podName.dropFirst(name.count + 1))
            else { continue }
            owned[ordinal] = pod
        }
        for ordinal in 0..<replicas where owned[ordinal] == nil {
            var labels = templateLabels
            labels["statefulset.kubernetes.io/pod-name"] = .string("\(name)-\(ordinal)")
            labels["apps.kubernetes.io/pod-index"] = .string(String(ordinal))
            let pod = JSON.object([
                "metadata": .object([
                    "name": .string("\(name)-\(ordinal)"), "labels": .object(labels),
                    "annotations": .object([Self.startedAt: .string(String(now))]),
                    "ownerReferences": .array([
                        .object([
                            "apiVersion": .string("apps/v1"), "kind": .string("StatefulSet"), "name": .string(name),
                            "uid": set.value(at: "metadata.uid") ?? .string(""), "controller": .bool(true)
                        ])
                    ])
                ]),
                "spec": .object(["hostname": .string("\(name)-\(ordinal)"), "subdomain": set.value(at: "spec.serviceName") ?? .string(name)]),
                "status": .object(["phase": .string("Pending"), "conditions": .array([Self.readyCondition(false)])])
            ])
            if let created = attempt(
                "create pod \(name)-\(ordinal)", tolerating: 409, { () throws(FaceError) in try world.create(pods, namespace: namespace, pod) })
            {
                owned[ordinal] = created
            }
        }
        for ordinal in owned.keys.sorted(by: >) where ordinal >= replicas {
            _ = attempt("delete pod \(name)-\(ordinal)", tolerating: 404) { () throws(FaceError) in
                try world.delete(pods, namespace: namespace, name: "\(name)-\(ordinal)")
            }
            owned[ordinal] = nil
        }
        var ready = 0
        for (ordinal, pod) in owned {
            let started = Double(pod.value(at: "metadata.annotations")?[Self.startedAt]?.string ?? "") ?? now
            let isReady = pod.value(at: "status.phase")?.string == "Running"
            if isReady {
                ready += 1
            } else if now >= started + readyAfter {
                let podIP = "10.1.\(ordinal / 250).\(ordinal % 250 + 2)"
                let done = attempt("mark pod \(name)-\(ordinal) running", tolerating: 404) { () throws(FaceError) in
                    try world.modify(pods, namespace: namespace, name: "\(name)-\(ordinal)", subresource: "status") { current in
                        var next = current
                        next["status"] = .object(
                            ["phase": .string("Running"), "podIP": .string(podIP), "conditions": .array([Self.readyCondition(true)])])
                        return next
                    }
                }
                if done != nil { ready += 1 }
            }
        }
        let status = JSON.object([
            "observedGeneration": set.value(at: "metadata.generation") ?? .int(1), "replicas": .int(Int64(owned.count)),
            "readyReplicas": .int(Int64(ready)), "availableReplicas": .int(Int64(ready)), "currentReplicas": .int(Int64(owned.count)),
            "updatedReplicas": .int(Int64(owned.count))
        ])
        if set["status"] != status {
            _ = attempt("write the status of StatefulSet \(name)", tolerating: 404) { () throws(FaceError) in
                try world.modify(statefulSets, namespace: namespace, name: name, subresource: "status") { current in
                    var next = current
                    next["status"] = status
                    return next
                }
            }
        }
    }

    static func readyCondition(_ ready: Bool) -> JSON {
        .object(["type": .string("Ready"), "status": .string(ready ? "True" : "False")])
    }
}
