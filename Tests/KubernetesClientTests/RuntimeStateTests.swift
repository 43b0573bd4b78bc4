import BrokerScaling
import KubernetesClient
import KubernetesTypes
import Testing

struct WatcherStateTests {
    @Test func listsThenWatchesFromTheListsVersion() {
        var watcher = WatcherState()
        #expect(watcher.next(now: 0) == .list)
        watcher.listed(resourceVersion: "100")
        #expect(watcher.next(now: 0) == .watch(from: "100"))
        watcher.received(resourceVersion: "105")
        watcher.received(resourceVersion: "107")
        // The server ends the stream (its timeout): watch again from the last version seen.
        watcher.streamEnded()
        #expect(watcher.next(now: 1) == .watch(from: "107"))
    }

    @Test func aSilentWatchIsGivenUpPastItsTimeoutAndResumedWhereItWas() {
        var watcher = WatcherState(silenceMargin: 10)
        _ = watcher.next(now: 0)
        watcher.listed(resourceVersion: "10")
        #expect(watcher.next(now: 0) == .watch(from: "10"))
        // Silence is counted from the watch's start until something arrives...
        #expect(!watcher.isSilent(now: 310, timeoutSeconds: 300))
        #expect(watcher.isSilent(now: 310.5, timeoutSeconds: 300))
        #expect(!watcher.isSilent(now: 310.5, timeoutSeconds: 600), "a longer watch may be quiet for longer")
        // ...then from the last event or bookmark.
        watcher.received(resourceVersion: "12", now: 100)
        watcher.received(resourceVersion: "15", now: 200)
        #expect(!watcher.isSilent(now: 510, timeoutSeconds: 300))
        #expect(watcher.isSilent(now: 511, timeoutSeconds: 300))
        // Given up: watch again at once from the last version seen (nothing is lost, no relist).
        watcher.silenced()
        #expect(watcher.silentRestarts == 1)
        #expect(watcher.next(now: 511) == .watch(from: "15"))
        #expect(!watcher.isSilent(now: 800, timeoutSeconds: 300), "the new watch has its own clock")
        #expect(watcher.isSilent(now: 822, timeoutSeconds: 300))
    }

    @Test func aWatchThatIsNotStreamingIsNeverSilent() {
        var watcher = WatcherState(silenceMargin: 1)
        _ = watcher.next(now: 0)
        #expect(!watcher.isSilent(now: 1000, timeoutSeconds: 1), "listing")
        watcher.listed(resourceVersion: "1")
        _ = watcher.next(now: 0)
        watcher.failed(gone: false, now: 1, random: 0)
        #expect(!watcher.isSilent(now: 1000, timeoutSeconds: 1), "backing off")
    }

    @Test func bookmarksMoveTheResumePoint() {
        var watcher = WatcherState()
        _ = watcher.next(now: 0)
        watcher.listed(resourceVersion: "10")
        _ = watcher.next(now: 0)
        watcher.received(resourceVersion: "900")
        watcher.failed(gone: false, now: 5, random: 0)
        #expect(watcher.resourceVersion == "900")
    }

    @Test func aDroppedStreamBacksOffThenResumesWhereItWas() {
        var watcher = WatcherState()
        _ = watcher.next(now: 0)
        watcher.listed(resourceVersion: "10")
        _ = watcher.next(now: 0)
        watcher.received(resourceVersion: "12")
        watcher.failed(gone: false, now: 100, random: 1)
        #expect(watcher.next(now: 100.1) == .wait(until: 100.8))
        #expect(watcher.next(now: 100.8) == .watch(from: "12"))
        // Failures in a row wait longer, up to the cap; success resets.
        watcher.failed(gone: false, now: 101, random: 1)
        #expect(watcher.next(now: 101) == .wait(until: 102.6))
        for _ in 0..<20 { watcher.failed(gone: false, now: 200, random: 1) }
        #expect(watcher.next(now: 200) == .wait(until: 230))
        #expect(watcher.next(now: 230) == .watch(from: "12"))
        watcher.received(resourceVersion: "13")
        #expect(watcher.backoff.failures == 0)
    }

    @Test func goneRelistsAtOnceAndRepeatedGoneBacksOff() {
        var watcher = WatcherState()
        _ = watcher.next(now: 0)
        watcher.listed(resourceVersion: "10")
        _ = watcher.next(now: 0)
        watcher.failed(gone: true, now: 50, random: 0)
        #expect(watcher.next(now: 50) == .list)
        #expect(watcher.relists == 1)
        watcher.failed(gone: true, now: 51, random: 0)
        guard case .wait = watcher.next(now: 51) else {
            Issue.record("a second Gone in a row must back off")
            return
        }
        watcher.listed(resourceVersion: "300")
        #expect(watcher.next(now: 60) == .watch(from: "300"))
    }

    @Test func aFailedListIsRetriedAsAList() {
        var watcher = WatcherState()
        _ = watcher.next(now: 0)
        watcher.failed(gone: false, now: 0, random: 0)
        #expect(watcher.next(now: 0.4) == .list)
    }
}

struct WorkQueueStateTests {
    @Test func keysAreDeduplicated() {
        var queue = WorkQueueState<String>()
        queue.add("shop/a")
        queue.add("shop/a")
        queue.add("shop/b")
        #expect(queue.count == 2)
        #expect(queue.next(now: 0) == "shop/a")
        #expect(queue.next(now: 0) == "shop/b")
        #expect(queue.next(now: 0) == nil)
    }

    @Test func aKeyInProgressIsNeverGivenToASecondWorker() {
        var queue = WorkQueueState<String>()
        queue.add("shop/a")
        #expect(queue.next(now: 0) == "shop/a")
        queue.add("shop/a")  // changed while a worker reconciles it
        #expect(queue.next(now: 0) == nil)
        queue.done("shop/a")
        #expect(queue.next(now: 0) == "shop/a", "then it is reconciled again, once")
        queue.done("shop/a")
        #expect(queue.isIdle)
    }

    @Test func failuresBackOffExponentiallyPerKey() {
        var queue = WorkQueueState<String>(baseDelay: 0.005, maxDelay: 1000)
        #expect(queue.addRateLimited("shop/a", now: 0) == 0.005)
        #expect(queue.addRateLimited("shop/a", now: 0) == 0.01)
        #expect(queue.addRateLimited("shop/a", now: 0) == 0.02)
        #expect(queue.next(now: 0.004) == nil)
        #expect(queue.next(now: 0.005) == "shop/a")
        queue.done("shop/a")
        for _ in 0..<40 { queue.addRateLimited("shop/b", now: 0) }
        #expect(queue.addRateLimited("shop/b", now: 0) == 1000)
        queue.forget("shop/a")
        #expect(queue.failureCount("shop/a") == 0)
        #expect(queue.addRateLimited("shop/a", now: 10) == 0.005)
    }

    @Test func requeueAfterForPeriodicWork() {
        var queue = WorkQueueState<String>()
        queue.add("shop/a", at: 10)
        queue.add("shop/a", at: 20)  // a later time does not postpone it
        #expect(queue.next(now: 9.9) == nil)
        #expect(queue.promote(now: 9.9) == 10)
        #expect(queue.next(now: 10) == "shop/a")
    }
}

struct WorkQueueTests {
    @Test func workersGetKeysAndShutDownEndsThem() async {
        let queue = WorkQueue<String>()
        await queue.add("shop/a")
        await queue.add("shop/b", after: .milliseconds(50))
        #expect(await queue.next() == "shop/a")
        #expect(await queue.next() == "shop/b")
        await queue.shutDown()
        #expect(await queue.next() == nil)
    }

    @Test func cancellingAWaitingWorkerEndsItsWait() async {
        let queue = WorkQueue<String>()
        let result = await withTaskGroup(of: String?.self) { group in
            group.addTask { await queue.next() }
            try? await Task.sleep(for: .milliseconds(50))
            group.cancelAll()
            return await group.next() ?? "unfinished"
        }
        #expect(result == nil)
    }
}

struct LeaderElectionStateTests {
    static func stamp(_ time: Double) -> String { "t\(time)" }

    /// An elector that created the lease at time 0 and leads.
    static func leader(_ identity: String) -> LeaderElectionState {
        var elector = LeaderElectionState(identity: identity)
        _ = elector.next(now: 0, stamp: stamp)
        elector.read(nil, now: 0)
        _ = elector.next(now: 0, stamp: stamp)
        elector.wrote(resourceVersion: "1", now: 0)
        return elector
    }

    static func lease(_ spec: Lease.Spec?, version: String) -> Lease {
        Lease(metadata: ObjectMeta(name: "ebb", namespace: "ebb-system", resourceVersion: version), spec: spec)
    }

    @Test func createsAFreeLeaseAndRenewsIt() {
        var elector = LeaderElectionState(identity: "pod-a")
        #expect(elector.next(now: 0, stamp: Self.stamp) == .read)
        elector.read(nil, now: 0)
        guard case .create(let spec) = elector.next(now: 0, stamp: Self.stamp) else {
            Issue.record("expected create")
            return
        }
        #expect(spec.holderIdentity == "pod-a" && spec.leaseDurationSeconds == 15)
        elector.wrote(resourceVersion: "1", now: 0)
        #expect(elector.isLeader)
        #expect(elector.next(now: 1, stamp: Self.stamp) == .wait(until: 2))
        guard case .update(let renewed, "1") = elector.next(now: 2, stamp: Self.stamp) else {
            Issue.record("expected a renew")
            return
        }
        #expect(renewed.renewTime == "t2.0")
    }

    @Test func anotherHoldersLeaseIsRespectedUntilItExpiresAsObservedLocally() {
        var elector = LeaderElectionState(identity: "pod-b")
        _ = elector.next(now: 100, stamp: Self.stamp)
        // The holder's timestamps are from another clock; only our observation counts.
        let held = Lease.Spec(holderIdentity: "pod-a", leaseDurationSeconds: 15, renewTime: "t0.0", leaseTransitions: 3)
        elector.read(Self.lease(held, version: "7"), now: 100)
        #expect(elector.next(now: 100, stamp: Self.stamp) == .wait(until: 102))
        #expect(elector.next(now: 102, stamp: Self.stamp) == .read)
        elector.read(Self.lease(held, version: "7"), now: 102)  // unchanged since 100
        #expect(elector.next(now: 102, stamp: Self.stamp) == .wait(until: 104))
        elector.read(Self.lease(held, version: "7"), now: 115)
        guard case .update(let taken, "7") = elector.next(now: 115, stamp: Self.stamp) else {
            Issue.record("the lease expired 15 s after we last saw it change")
            return
        }
        #expect(taken.holderIdentity == "pod-b" && taken.leaseTransitions == 4)
        elector.wrote(resourceVersion: "8", now: 115)
        #expect(elector.isLeader)
    }

    @Test func aRenewingHolderKeepsIt() {
        var elector = LeaderElectionState(identity: "pod-b")
        _ = elector.next(now: 0, stamp: Self.stamp)
        for (time, version) in [(0.0, "1"), (10.0, "2"), (20.0, "3")] {
            elector.read(
                Self.lease(Lease.Spec(holderIdentity: "pod-a", leaseDurationSeconds: 15, renewTime: "x\(version)"), version: version), now: time)
            #expect(elector.next(now: time, stamp: Self.stamp) == .wait(until: time + 2))
        }
        #expect(!elector.isLeader)
    }

    @Test func aLeaderThatCannotRenewStopsBeforeTheLeaseCouldBeTaken() {
        var elector = Self.leader("pod-a")
        // Every renew fails (the API server is unreachable).
        var time = 2.0
        var stopped: Double?
        while time < 15, stopped == nil {
            switch elector.next(now: time, stamp: Self.stamp) {
            case .stopLeading: stopped = time
            case .wait(let until): time = until
            default: elector.failed(now: time)
            }
        }
        let at = try! #require(stopped)
        #expect(at > 10 && at < 15, "stops after the renew deadline, before the lease duration")
        #expect(!elector.isLeader)
    }

    @Test func losingTheLeaseToAnotherHolderEndsLeadership() {
        var elector = Self.leader("pod-a")
        elector.read(Self.lease(Lease.Spec(holderIdentity: "pod-c", leaseDurationSeconds: 15), version: "9"), now: 3)
        #expect(!elector.isLeader)
    }

    @Test func releasingOnShutdownFreesTheLease() {
        var elector = Self.leader("pod-a")
        guard case .update(let released, "1") = elector.release(now: 5, stamp: Self.stamp) else {
            Issue.record("expected a release")
            return
        }
        #expect(released.holderIdentity == "")
        elector.wrote(resourceVersion: "2", now: 5)
        #expect(!elector.isLeader)
        // A successor takes a released lease at once.
        var successor = LeaderElectionState(identity: "pod-b")
        _ = successor.next(now: 6, stamp: Self.stamp)
        successor.read(Self.lease(released, version: "2"), now: 6)
        guard case .update(let taken, "2") = successor.next(now: 6, stamp: Self.stamp) else {
            Issue.record("expected a takeover")
            return
        }
        #expect(taken.holderIdentity == "pod-b")
    }
}
