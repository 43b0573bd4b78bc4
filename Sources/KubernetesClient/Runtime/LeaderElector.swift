import Foundation
import KubernetesTypes
import Logging
import NIOConcurrencyHelpers
import Resilience

/// Whether this process leads now: checked before every write, and turned off the moment
/// leadership is lost, before the leader's work is cancelled.
public final class Leadership: Sendable {
    private let leading: NIOLockedValueBox<Bool>

    public init(leading: Bool = false) {
        self.leading = NIOLockedValueBox(leading)
    }

    public var isLeading: Bool { leading.withLockedValue { $0 } }
    func set(_ value: Bool) { leading.withLockedValue { $0 = value } }
}

/// The leader elector's I/O shell: runs `LeaderElectionState` against a Lease, and runs the
/// leader's work only while the lease is held.
public struct LeaderElector: Sendable {
    public let client: Kubernetes
    public let namespace: String
    public let name: String
    public let identity: String
    public var leaseDuration: Double = 15
    public var renewDeadline: Double = 10
    public var retryPeriod: Double = 2
    /// Give the lease up on shutdown, so a successor need not wait out the lease.
    public var releaseOnCancel = true
    public let leadership = Leadership()
    public let logger: Logger

    public init(client: Kubernetes, namespace: String, name: String, identity: String, logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.logger = logger
    }

    /// Campaigns until cancelled; while leading, runs `work`, which is cancelled as soon as the
    /// lease is lost (and `leadership.isLeading` is false before that).
    public func run(_ work: @escaping @Sendable () async -> Void) async {
        var machine = LeaderElectionState(identity: identity, leaseDuration: leaseDuration, renewDeadline: renewDeadline, retryPeriod: retryPeriod)
        let offset = Date().timeIntervalSince1970 - MonotonicTime.now
        let stamp: @Sendable (Double) -> String = { TimeFormat.microTime(Date(timeIntervalSince1970: $0 + offset)) }
        while !Task.isCancelled {
            // Campaign.
            while !Task.isCancelled, !machine.isLeader {
                await step(&machine, stamp: stamp)
            }
            guard !Task.isCancelled else { break }
            leadership.set(true)
            logger.info("leading", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
            // Lead: the work runs beside the renew loop; whichever ends first ends both.
            let renewal = machine
            machine = await withTaskGroup(of: LeaderElectionState?.self) { group in
                group.addTask {
                    await work()
                    return nil
                }
                group.addTask {
                    var renewing = renewal
                    while !Task.isCancelled, renewing.isLeader {
                        await step(&renewing, stamp: stamp)
                    }
                    return renewing
                }
                var final = renewal
                while let next = await group.next() {
                    if let state = next { final = state }
                    leadership.set(false)
                    group.cancelAll()
                }
                return final
            }
            leadership.set(false)
            if !Task.isCancelled {
                logger.warning("lost the lease; leader-only work stopped", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
            }
        }
        if releaseOnCancel, let release = machine.release(now: MonotonicTime.now, stamp: stamp) {
            // This task is cancelled (shutting down), which would cancel the request too: the
            // release runs in a task of its own that is awaited here, so it is not stray.
            let outcome = await Task { await perform(release) }.value
            if case .wrote = outcome {
                logger.info("released the lease", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
            } else {
                logger.warning("could not release the lease; a successor waits for it to expire", metadata: ["lease": "\(namespace)/\(name)"])
            }
        }
    }

    /// One action of the machine, executed.
    func step(_ machine: inout LeaderElectionState, stamp: (Double) -> String) async {
        let action = machine.next(now: MonotonicTime.now, stamp: stamp)
        logger.trace("lease step", metadata: ["action": "\(action)", "now": "\(MonotonicTime.now)"])
        switch action {
        case .wait(let until):
            do {
                try await Task.sleep(for: .milliseconds(Int64(max(0, until - MonotonicTime.now) * 1000) + 1))
            } catch {
                return  // cancelled: the campaign and renew loops end on it
            }
        case .stopLeading:
            leadership.set(false)
        default:
            _ = await execute(action, &machine)
        }
    }

    func execute(_ action: LeaderElectionAction, _ machine: inout LeaderElectionState) async -> Bool {
        let outcome = await perform(action)
        switch outcome {
        case .read(let lease):
            machine.read(lease, now: MonotonicTime.now)
        case .wrote(let version):
            machine.wrote(resourceVersion: version, now: MonotonicTime.now)
        case .nothing:
            break
        case .failed(let error):
            machine.failed(now: MonotonicTime.now)
            logger.debug("lease step failed", metadata: ["lease": "\(namespace)/\(name)", "error": "\(error)"])
            return false
        }
        return true
    }

    enum Outcome: Sendable {
        case read(Lease?)
        case wrote(String)
        case nothing
        case failed(KubernetesClientError)
    }

    /// The API call for `action`.
    /// The API call for `action`, given at most half the renew deadline: a renewal stuck on an
    /// unresponsive API server must fail in time for the leader to stop before the lease can
    /// expire for the others (the client's own timeout may be much longer).
    func perform(_ action: LeaderElectionAction) async -> Outcome {
        let limit = Duration.milliseconds(Int64(renewDeadline / 2 * 1000))
        let elector = self
        let outcome = await Deadline.run(within: limit) { () async -> Outcome in
            await elector.call(action)
        }
        guard let outcome else {
            return .failed(
                .timeout(step: "lease \(namespace)/\(name)", seconds: limit.inSeconds))
        }
        return outcome
    }

    func call(_ action: LeaderElectionAction) async -> Outcome {
        do {
            switch action {
            case .read:
                return .read(try await client.get(Lease.self, namespace: namespace, name: name))
            case .create(let spec):
                let created = try await client.create(Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
                return .wrote(created.metadata.resourceVersion ?? "")
            case let .update(spec, version):
                // An update (PUT) with the resourceVersion read: a concurrent writer makes it 409.
                let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: version), spec: spec)
                let updated = try await client.replace(lease)
                return .wrote(updated.metadata.resourceVersion ?? "")
            case .wait, .stopLeading:
                return .nothing
            }
        } catch {
            if case .read = action, error.apiError?.isNotFound == true { return .read(nil) }
            return .failed(error)
        }
    }
}
