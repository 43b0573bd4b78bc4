/// An API error as the face answers it: an HTTP code and a `Status` in the real server's shape
/// (which `details` keys exist, and the `causes` of a validation failure, matter to clients).
public struct FaceError: Error, Sendable, Hashable {
    /// One `details.causes` entry: `reason` and `field` are left out where the server leaves them out.
    public struct Cause: Sendable, Hashable {
        public var reason: String?
        public var message: String
        public var field: String?

        public init(reason: String?, message: String, field: String?) {
            self.reason = reason
            self.message = message
            self.field = field
        }

        var json: JSON {
            var fields: [String: JSON] = ["message": .string(message)]
            if let reason { fields["reason"] = .string(reason) }
            if let field { fields["field"] = .string(field) }
            return .object(fields)
        }
    }

    /// `details`: each key present only when set; `empty` is the `{}` some built-in answers carry.
    public struct Details: Sendable, Hashable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause] = []

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil, causes: [Cause] = []) {
            self.name = name
            self.group = group
            self.kind = kind
            self.uid = uid
            self.causes = causes
        }

        var json: JSON {
            var fields: [String: JSON] = [:]
            if let name { fields["name"] = .string(name) }
            if let group { fields["group"] = .string(group) }
            if let kind { fields["kind"] = .string(kind) }
            if let uid { fields["uid"] = .string(uid) }
            if !causes.isEmpty { fields["causes"] = .array(causes.map(\.json)) }
            return .object(fields)
        }
    }

    public var code: Int
    public var reason: String
    public var message: String
    public var details: Details?

    public init(code: Int, reason: String, message: String, details: Details? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    /// The details of an error about one object: `kind` is the plural resource name, as the
    /// server writes it for custom resources and for most built-in errors.
    static func about(_ resource: FaceResource, _ name: String) -> Details {
        Details(name: name, group: resource.group.isEmpty ? nil : resource.group, kind: resource.plural)
    }

    static func notFound(_ resource: FaceResource, _ name: String) -> FaceError {
        FaceError(code: 404, reason: "NotFound", message: "\(resource.qualifiedPlural) \"\(name)\" not found", details: about(resource, name))
    }

    static func alreadyExists(_ resource: FaceResource, _ name: String) -> FaceError {
        FaceError(
            code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedPlural) \"\(name)\" already exists", details: about(resource, name))
    }

    static func conflict(_ resource: FaceResource, _ name: String) -> FaceError {
        FaceError(
            code: 409, reason: "Conflict",
            message:
                "Operation cannot be fulfilled on \(resource.qualifiedPlural) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            details: about(resource, name))
    }

    /// A 422 Invalid with one cause a field, as the server aggregates field errors:
    /// `KIND "NAME" is invalid: field: message` for one, `[a, b]` for several.
    static func invalid(qualifiedKind: String, name: String, details: Details, causes: [Cause]) -> FaceError {
        let texts = causes.map { cause in cause.field.map { "\($0): \(cause.message)" } ?? cause.message }
        let joined = texts.count == 1 ? texts[0] : "[\(texts.joined(separator: ", "))]"
        var details = details
        details.causes = causes
        return FaceError(code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(joined)", details: details)
    }

    public var status: JSON {
        var fields: [String: JSON] = [
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Failure"),
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code))
        ]
        if let details { fields["details"] = details.json }
        return .object(fields)
    }

    /// The `Status` a successful DELETE of most kinds answers with, instead of the object.
    static func deleted(_ resource: FaceResource, _ object: JSON) -> JSON {
        var details = about(resource, object.value(at: "metadata.name")?.string ?? "")
        details.uid = object.value(at: "metadata.uid")?.string
        return .object([
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Success"), "details": details.json
        ])
    }
}

extension FaceResource {
    /// `brokerpools.ebb.io`, `statefulsets.apps`, `pods` (the core group has no suffix).
    var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// `BrokerPool.ebb.io`, `Event` (core-stored kinds have no suffix), as validation messages name a kind.
    var qualifiedKind: String { group.isEmpty || group == "events.k8s.io" ? kind : "\(kind).\(group)" }
}
