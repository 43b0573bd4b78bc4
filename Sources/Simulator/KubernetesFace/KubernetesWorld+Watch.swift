extension KubernetesWorld {
    /// Starts a watch: the changes after `version` (all objects as ADDED when it is empty or
    /// "0"), then every change as it happens, through `send`, atomically so that nothing is
    /// missed or sent twice. A version older than the kept history is 410 Gone.
    func watch(
        _ resource: FaceResource, namespace: String?, selector: FaceLabelSelector, from version: String?,
        send: @escaping @Sendable (String, JSON) -> Void, close: @escaping @Sendable () -> Void
    ) throws(FaceError) -> Int {
        try locked { state throws(FaceError) -> Int in
            func wanted(_ object: JSON) -> Bool {
                let objectNamespace = object.value(at: "metadata.namespace")?.string
                return (namespace == nil || !resource.namespaced || objectNamespace == namespace) && selector.matches(Self.labels(object))
            }
            if let version, !version.isEmpty, version != "0" {
                guard let start = Int64(version) else {
                    throw FaceError(code: 400, reason: "BadRequest", message: "invalid resource version \"\(version)\"")
                }
                guard start >= state.compactedThrough else {
                    // Compacted in storage (etcd), or older than the watch cache's window.
                    throw state.compactedInStorage
                        ? FaceError(code: 410, reason: "Expired", message: "The resourceVersion for the provided watch is too old.")
                        : FaceError(code: 410, reason: "Expired", message: "too old resource version: \(start) (\(state.compactedThrough))")
                }
                for change in state.history where change.revision > start && change.resource == resource.key && wanted(change.object) {
                    send(change.type, change.object)
                }
            } else {
                for (_, object) in (state.objects[resource.key] ?? [:]).sorted(by: { $0.key < $1.key }) where wanted(object) {
                    send("ADDED", object)
                }
            }
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = Watcher(
                resource: resource.key, namespace: resource.namespaced ? namespace : nil, selector: selector, send: send, close: close)
            return state.nextWatcher
        }
    }

    func unwatch(_ id: Int) {
        _ = state.withLockedValue { $0.watchers.removeValue(forKey: id) }
    }

    /// How many watches are open (for tests and the face's own metrics).
    public var openWatches: Int { state.withLockedValue { $0.watchers.count } }

    /// Ends every open watch stream, as an API server restart or a load balancer does.
    public func dropWatches() {
        let dropped = state.withLockedValue { state in
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in dropped { watcher.close() }
    }

    /// A restart of the API server as its watch cache sees it: open watches end, and the cache
    /// starts again at the current revision, so a watch from any older resourceVersion gets
    /// 410 "too old resource version" although storage still has it.
    public func restartWatchCache() {
        dropWatches()
        state.withLockedValue { state in
            state.compactedInStorage = false
            state.compactedThrough = state.revision
            state.history.removeAll()
        }
    }

    /// Every verb on every resource that `user`'s roles grant and no request of theirs used.
    public func unusedGrants(of user: FaceUser) -> [FaceAuthorizer.Grant] { authorizer.unusedGrants(of: user, in: self) }

    /// Every open watch goes silent: no events, no bookmarks, no end at its timeout, as behind
    /// a server that stopped without closing its connections. Watches opened later are silent
    /// too, until `silenceWatches(false)`.
    public func silenceWatches(_ silent: Bool = true) {
        silence.withLockedValue { $0 = silent }
    }

    /// While set, every request is answered 503 Service Unavailable.
    public var isUnavailable: Bool {
        get { state.withLockedValue { $0.unavailable } }
        set { state.withLockedValue { $0.unavailable = newValue } }
    }

    /// Forgets the change history, as etcd compaction does: every watch that resumes from an
    /// older resourceVersion gets 410 Gone and must list again.
    public func compact() {
        state.withLockedValue { state in
            state.compactedInStorage = true
            state.compactedThrough = state.revision
            state.history.removeAll()
        }
    }
}

extension KubernetesWorld {
    /// Faults to inject into the requests of clients other than kubectl (nil: none).
    public var faults: FaultInjector? {
        get { faultBox.withLockedValue { $0 } }
        set { faultBox.withLockedValue { $0 = newValue } }
    }
}
