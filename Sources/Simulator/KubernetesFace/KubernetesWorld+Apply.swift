extension KubernetesWorld {
    /// Server-side apply of `applied` to an existing object (or its status): a change of a field
    /// another manager owns is a 409 conflict naming each field, unless `options.force`.
    func apply(
        _ resource: FaceResource, namespace: String?, name: String, subresource: String?, _ applied: JSON, options: WriteOptions
    ) throws(FaceError) -> (object: JSON, warnings: [String]) {
        let manager = options.fieldManager ?? ""
        let schema = self.schema(of: resource)
        var inner = WriteOptions(dryRun: options.dryRun, fieldValidation: options.fieldValidation)
        inner.ownershipFromChange = true
        return try modify(resource, namespace: namespace, name: name, subresource: subresource, options: inner) { current throws(FaceError) -> JSON in
            let entries = ManagedFields.entries(of: current)
            let conflicts = ManagedFields.conflicts(
                entries, current: current, applied: applied, schema: schema, manager: manager, subresource: subresource)
            if !conflicts.isEmpty, !options.force {
                let owner = conflicts[0].1
                let with =
                    "conflict with \"\(owner.manager)\"\(owner.subresource.map { " with subresource \"\($0)\"" } ?? "") using \(owner.apiVersion)"
                throw FaceError(
                    code: 409, reason: "Conflict",
                    message:
                        "Apply failed with \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): \(with.replacingOccurrences(of: "conflict with", with: "conflicts with")):"
                        + conflicts.map { "\n- \(ManagedFields.describe($0.0))" }.joined(),
                    details: FaceError.Details(
                        causes: conflicts.map { path, entry in
                            FaceError.Cause(
                                reason: "FieldManagerConflict",
                                message:
                                    "conflict with \"\(entry.manager)\"\(entry.subresource.map { " with subresource \"\($0)\"" } ?? "") using \(entry.apiVersion)",
                                field: ManagedFields.describe(path))
                        }))
            }
            let (applied_, updated) = ManagedFields.applied(
                entries, current: current, applied: applied, schema: schema, manager: manager, subresource: subresource,
                apiVersion: resource.apiVersion,
                time: timestamp, force: options.force)
            var object = applied_
            object.set(ManagedFields.encode(updated), at: "metadata.managedFields")
            return object
        }
    }
}
