import Foundation

/// What the operator wrote for one pool and has not yet seen come back through its watch cache
/// (the "expectations" of controller-runtime users). Pure: time is an input.
///
/// The pool a reconcile gets is the cached one, and the cache lags the API server (50-200 ms on a
/// real cluster, more under load). Right after its own status write and scale patch, the
/// StatefulSet's watch queues the pool again; a reconcile that read the pool before the status
/// write arrived would find the step it just took not taken, and take it again: a second
/// identical scale patch, a second `DrainVerified` Event, a second batch of moves. So the
/// reconciler remembers what it wrote and, until the cache shows it, does not act on that pool:
/// it looks again shortly (`recheck`). After `patience` it stops waiting (someone may
/// have rewritten what we wrote); the status write's optimistic lock still guards that case.
public struct WriteExpectations: Sendable, Hashable {
    /// The resourceVersion the status write returned, and the one it replaced.
    public var poolVersion: String?
    public var replacedVersion: String?
    /// The StatefulSet's spec.replicas that the scale patch set.
    public var replicas: Int32?
    /// When the write was made.
    public var since: Date

    /// How soon to look again while the cache is behind.
    public static let recheck: Duration = .milliseconds(250)
    /// How long to wait for the cache before acting anyway.
    public static let patience: TimeInterval = 30

    public init(poolVersion: String? = nil, replacedVersion: String? = nil, replicas: Int32? = nil, since: Date) {
        self.poolVersion = poolVersion
        self.replacedVersion = replacedVersion
        self.replicas = replicas
        self.since = since
    }

    /// Whether waiting has gone on for too long at `now`.
    public func expired(now: Date) -> Bool { now.timeIntervalSince(since) >= Self.patience }

    /// Why the cached pool (at `resourceVersion`) is older than our status write, or nil when
    /// it has caught up (or waiting has expired).
    public func waitingForPool(resourceVersion cached: String?, now: Date) -> String? {
        guard let written = poolVersion, !expired(now: now) else { return nil }
        guard !Self.seen(cached, written: written, replaced: replacedVersion) else { return nil }
        return "the cached pool is at resourceVersion \(cached ?? "none"); the status write made \(written)"
    }

    /// Why the StatefulSet (with `replicas`) does not show our scale patch yet, or nil.
    public func waitingForWorkload(replicas observed: Int32, now: Date) -> String? {
        guard let replicas, !expired(now: now), observed != replicas else { return nil }
        return "the StatefulSet shows \(observed) replicas; the scale patch set \(replicas)"
    }

    /// Whether a cache at `cached` holds the write that made `written` (or something newer).
    /// resourceVersions are opaque by contract but etcd revisions in practice: compared as
    /// numbers when both are; otherwise, a cache that still shows the version our write
    /// replaced is behind, and anything else is at or past our write (the cache only moves
    /// forward, and a write in between would have failed ours with 409).
    public static func seen(_ cached: String?, written: String, replaced: String?) -> Bool {
        guard let cached else { return replaced == nil }
        if cached == written { return true }
        if let have = UInt64(cached), let want = UInt64(written) { return have >= want }
        return cached != replaced
    }
}
