import KubernetesTypes
import NIOConcurrencyHelpers

/// A cache of one kind of object, kept by a reflector: one writer, many readers. It says when
/// it has synced (the first list is in), and readers never see half an update.
public final class Store<R: KubernetesResource>: Sendable {
    struct State: Sendable {
        var objects: [ObjectKey: R] = [:]
        var synced = false
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// The key work queues carry.
    public static func key(of object: R) -> ObjectKey { ObjectKey(object.metadata) }

    public var isSynced: Bool { state.withLockedValue { $0.synced } }

    public func get(_ key: ObjectKey) -> R? { state.withLockedValue { $0.objects[key] } }

    public func get(namespace: String?, name: String) -> R? { get(ObjectKey(namespace: namespace, name: name)) }

    public var all: [R] { state.withLockedValue { Array($0.objects.values) } }

    public var keys: [ObjectKey] { state.withLockedValue { $0.objects.keys.sorted() } }

    /// Replaces everything with a fresh list; returns the keys that changed (added, changed
    /// or gone), so the controller looks at each once.
    @discardableResult
    func replace(with items: [R]) -> [ObjectKey] {
        state.withLockedValue { state in
            var fresh: [ObjectKey: R] = [:]
            for item in items { fresh[Self.key(of: item)] = item }
            var changed = Set(state.objects.keys).symmetricDifference(fresh.keys)
            for (key, item) in fresh where state.objects[key] != nil && state.objects[key]!.metadata.resourceVersion != item.metadata.resourceVersion
            {
                changed.insert(key)
            }
            state.objects = fresh
            state.synced = true
            return changed.sorted()
        }
    }

    /// Applies one watch event; returns its key, or nil when it changed nothing (the same
    /// resourceVersion seen twice after a reconnect).
    func apply(_ event: WatchEvent<R>) -> ObjectKey? {
        state.withLockedValue { state in
            switch event {
            case .added(let object), .modified(let object):
                let key = Self.key(of: object)
                if let known = state.objects[key], known.metadata.resourceVersion == object.metadata.resourceVersion,
                    known.metadata.resourceVersion != nil
                {
                    return nil
                }
                state.objects[key] = object
                return key
            case .deleted(let object):
                let key = Self.key(of: object)
                return state.objects.removeValue(forKey: key) == nil ? nil : key
            case .bookmark:
                return nil
            }
        }
    }
}
