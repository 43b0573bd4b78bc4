import Foundation
import Operator
import Testing

/// The expectations rule, on a manual clock: when the cache counts as caught up with our writes.
struct WriteExpectationsTests {
    let t0 = Date(timeIntervalSince1970: 1_795_798_800)

    @Test func theCachedPoolMustShowOurStatusWriteOrSomethingNewer() {
        let expected = WriteExpectations(poolVersion: "120", replacedVersion: "118", since: t0)
        #expect(expected.waitingForPool(resourceVersion: "118", now: t0) != nil, "the version our write replaced")
        #expect(expected.waitingForPool(resourceVersion: "119", now: t0) != nil)
        #expect(expected.waitingForPool(resourceVersion: "120", now: t0) == nil)
        #expect(expected.waitingForPool(resourceVersion: "121", now: t0) == nil, "a newer write counts too")
        // Numbers compare as numbers, not text.
        #expect(WriteExpectations(poolVersion: "99", replacedVersion: "98", since: t0).waitingForPool(resourceVersion: "100", now: t0) == nil)
    }

    @Test func opaqueVersionsCountAsCaughtUpOnceTheReplacedOneIsGone() {
        let expected = WriteExpectations(poolVersion: "b-2", replacedVersion: "a-1", since: t0)
        #expect(expected.waitingForPool(resourceVersion: "a-1", now: t0) != nil)
        #expect(expected.waitingForPool(resourceVersion: "b-2", now: t0) == nil)
        #expect(expected.waitingForPool(resourceVersion: "c-3", now: t0) == nil)
    }

    @Test func theStatefulSetMustShowOurPatchedReplicas() {
        let expected = WriteExpectations(replicas: 7, since: t0)
        #expect(expected.waitingForWorkload(replicas: 3, now: t0.addingTimeInterval(1)) != nil)
        #expect(expected.waitingForWorkload(replicas: 7, now: t0.addingTimeInterval(1)) == nil)
        #expect(WriteExpectations(since: t0).waitingForWorkload(replicas: 3, now: t0) == nil, "nothing patched, nothing expected")
    }

    @Test func waitingEndsAfterThePatience() {
        let expected = WriteExpectations(poolVersion: "120", replacedVersion: "118", replicas: 7, since: t0)
        let later = t0.addingTimeInterval(WriteExpectations.patience)
        #expect(expected.waitingForPool(resourceVersion: "118", now: later.addingTimeInterval(-0.1)) != nil)
        #expect(expected.waitingForPool(resourceVersion: "118", now: later) == nil)
        #expect(expected.waitingForWorkload(replicas: 3, now: later) == nil)
    }
}
