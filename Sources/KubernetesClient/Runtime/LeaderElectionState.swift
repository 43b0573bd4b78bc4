/// What the leader elector's I/O shell must do next.
public enum LeaderElectionAction: Sendable, Hashable {
    /// Read the Lease.
    case read
    /// Create the Lease with us as holder.
    case create(Lease.Spec)
    /// Update the Lease (read at `resourceVersion`, so a concurrent change conflicts).
    case update(Lease.Spec, resourceVersion: String)
    /// Wait until this time, then ask again.
    case wait(until: Double)
    /// Stop every leader-only action now: the lease is lost or cannot be renewed in time.
    case stopLeading
}

/// Leader election on a coordination.k8s.io Lease, with client-go's rules and defaults
/// (lease 15 s, renew deadline 10 s, retry every 2 s), and no I/O: time is an input, and
/// timestamps written to the Lease are formatted by the caller.
///
/// A candidate takes the lease when it is free or when its record has not changed for a
/// whole lease duration *as observed locally* (clock skew between nodes cannot make two
/// leaders). A leader that cannot renew within the renew deadline stops leading before any
/// other candidate may take over.
public struct LeaderElectionState: Sendable {
    public let identity: String
    public let leaseDuration: Double
    public let renewDeadline: Double
    public let retryPeriod: Double

    struct Observed: Sendable {
        var spec: Lease.Spec?
        var resourceVersion: String?
        /// Local time the record last changed.
        var at: Double
    }

    var observed: Observed?
    /// Local time of our last successful acquire or renew, while leading.
    public private(set) var leadingSince: Double?
    var lastRenew: Double?
    var pendingWrite: Lease.Spec?
    /// The pending write gives the lease up.
    var releasing = false
    /// Set when the next step is a read.
    var needsRead = true
    var nextAttempt: Double = 0

    public init(identity: String, leaseDuration: Double = 15, renewDeadline: Double = 10, retryPeriod: Double = 2) {
        precondition(leaseDuration > renewDeadline && renewDeadline > retryPeriod, "lease > renew deadline > retry period")
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    public var isLeader: Bool { leadingSince != nil }

    /// The next step at `now`. `stamp` formats a local time as the Lease's MicroTime.
    public mutating func next(now: Double, stamp: (Double) -> String) -> LeaderElectionAction {
        if let lastRenew, isLeader, now - lastRenew > renewDeadline {
            // Could not renew in time: stop before anyone else may take the lease.
            loseLeadership()
            return .stopLeading
        }
        guard now >= nextAttempt else { return .wait(until: nextAttempt) }
        if needsRead { return .read }
        guard let observed else { return .read }
        guard let spec = observed.spec, let version = observed.resourceVersion else {
            let fresh = Lease.Spec(
                holderIdentity: identity, leaseDurationSeconds: Int32(leaseDuration), acquireTime: stamp(now), renewTime: stamp(now),
                leaseTransitions: 0)
            pendingWrite = fresh
            return .create(fresh)
        }
        let holder = spec.holderIdentity ?? ""
        if holder == identity {
            var renewed = spec
            renewed.renewTime = stamp(now)
            renewed.leaseDurationSeconds = Int32(leaseDuration)
            pendingWrite = renewed
            return .update(renewed, resourceVersion: version)
        }
        let duration = Double(spec.leaseDurationSeconds ?? Int32(leaseDuration))
        if !holder.isEmpty, now < observed.at + duration {
            nextAttempt = now + retryPeriod
            needsRead = true
            return .wait(until: nextAttempt)
        }
        // Free (released) or expired as we observed it: take it over.
        let taken = Lease.Spec(
            holderIdentity: identity, leaseDurationSeconds: Int32(leaseDuration), acquireTime: stamp(now), renewTime: stamp(now),
            leaseTransitions: (spec.leaseTransitions ?? 0) + (holder.isEmpty ? 0 : 1))
        pendingWrite = taken
        return .update(taken, resourceVersion: version)
    }

    /// The Lease as read at `now` (nil: it does not exist).
    public mutating func read(_ lease: Lease?, now: Double) {
        needsRead = false
        let spec = lease?.spec
        let version = lease?.metadata.resourceVersion
        if observed?.spec != spec || observed?.resourceVersion != version || observed == nil {
            observed = Observed(spec: lease == nil ? nil : (spec ?? Lease.Spec()), resourceVersion: version, at: now)
        }
        if isLeader, spec?.holderIdentity != identity {
            // Someone else holds it: we are not the leader any more.
            loseLeadership()
        }
    }

    /// The create or update was accepted at `now`, the Lease now at `resourceVersion`.
    public mutating func wrote(resourceVersion: String, now: Double) {
        guard let written = pendingWrite else { return }
        pendingWrite = nil
        observed = Observed(spec: written, resourceVersion: resourceVersion, at: now)
        if releasing {
            releasing = false
            return
        }
        if leadingSince == nil { leadingSince = now }
        lastRenew = now
        nextAttempt = now + retryPeriod
    }

    /// The write or read failed at `now` (conflict: someone else wrote first).
    public mutating func failed(now: Double) {
        pendingWrite = nil
        releasing = false
        needsRead = true
        nextAttempt = now + retryPeriod
    }

    /// What to write to give the lease up on shutdown (so a successor need not wait out the
    /// lease): nil when not leading.
    public mutating func release(now: Double, stamp: (Double) -> String) -> LeaderElectionAction? {
        guard isLeader, let spec = observed?.spec, let version = observed?.resourceVersion else { return nil }
        var released = spec
        released.holderIdentity = ""
        released.leaseDurationSeconds = 1
        released.renewTime = stamp(now)
        loseLeadership()
        pendingWrite = released
        releasing = true
        return .update(released, resourceVersion: version)
    }

    mutating func loseLeadership() {
        leadingSince = nil
        lastRenew = nil
        needsRead = true
    }
}
