import Foundation
import KubernetesTypes

/// A coordination.k8s.io/v1 Lease, for leader election.
public struct Lease: KubernetesResource, Hashable {
    public static let resource = ResourceKind.lease
    public static let kindName = "Lease"

    public struct Spec: Sendable, Hashable, Codable {
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int32?
        /// RFC 3339 with microseconds (MicroTime).
        public var acquireTime: String?
        public var renewTime: String?
        public var leaseTransitions: Int32?

        public init(
            holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, acquireTime: String? = nil, renewTime: String? = nil,
            leaseTransitions: Int32? = nil
        ) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }
    }

    public var apiVersion: String? = "coordination.k8s.io/v1"
    public var kind: String? = "Lease"
    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// An events.k8s.io/v1 Event about an object, as `kubectl describe` and `kubectl get events` show.
public struct Event: KubernetesResource, Hashable {
    public static let resource = ResourceKind.event
    public static let kindName = "Event"

    public struct Reference: Sendable, Hashable, Codable {
        public var apiVersion: String?
        public var kind: String?
        public var namespace: String?
        public var name: String?
        public var uid: String?
        public var resourceVersion: String?

        public init(
            apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil,
            resourceVersion: String? = nil
        ) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    public var apiVersion: String? = "events.k8s.io/v1"
    public var kind: String? = "Event"
    public var metadata: ObjectMeta
    /// MicroTime of the first occurrence.
    public var eventTime: String
    public var reportingController: String
    public var reportingInstance: String
    /// What was done ("ScaleOut", "SubmitReassignment").
    public var action: String
    /// Why, in UpperCamelCase ("HighLag").
    public var reason: String
    public var regarding: Reference
    /// A human sentence, at most 1 kB.
    public var note: String?
    /// Normal or Warning.
    public var type: String

    public init(
        metadata: ObjectMeta, eventTime: String, reportingController: String, reportingInstance: String, action: String, reason: String,
        regarding: Reference, note: String?, type: String
    ) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.regarding = regarding
        self.note = note.map { String($0.prefix(1024)) }
        self.type = type
    }
}

/// A v1 Secret, read for Kafka credentials and CA certificates.
public struct Secret: KubernetesResource, Hashable {
    public static let resource = ResourceKind.secret
    public static let kindName = "Secret"

    public var apiVersion: String? = "v1"
    public var kind: String? = "Secret"
    public var metadata: ObjectMeta
    /// Values, base64 as the API carries them.
    public var data: [String: String]?

    public init(metadata: ObjectMeta, data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }

    /// The decoded value of `key`, or nil when absent or not base64.
    public func value(_ key: String) -> [UInt8]? {
        data?[key].flatMap { Data(base64Encoded: $0) }.map(Array.init)
    }
}
